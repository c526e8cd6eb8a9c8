package dev.weir.state.memory;

import dev.weir.state.KeyGroupRange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Writes a {@link HeapSnapshotFormat} file into a new snapshot directory. */
final class HeapSnapshotWriter implements AutoCloseable {
  private final Path file;
  private final FileChannel channel;
  private int sections;
  private int lastKeyGroup = -1;

  /** Creates {@code directory} (which must not exist) and the file in it, and writes the header. */
  HeapSnapshotWriter(Path directory, KeyGroupRange range) {
    this.file = directory.resolve(HeapSnapshotFormat.FILE_NAME);
    try {
      Files.createDirectory(directory);
      this.channel =
          FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new HeapSnapshotException("Cannot create heap snapshot " + file, e);
    }
    ByteBuffer header = ByteBuffer.allocate(HeapSnapshotFormat.HEADER_BYTES);
    header.put(HeapSnapshotFormat.MAGIC).putInt(HeapSnapshotFormat.VERSION);
    header.putInt(range.start()).putInt(range.end());
    header.putInt(HeapSnapshotFormat.crc32c(header.array(), 0, 20));
    write(header.flip());
  }

  /** Appends the section of {@code keyGroup}; key groups must come in ascending order. */
  void keyGroup(int keyGroup, byte[] body) {
    if (keyGroup <= lastKeyGroup) {
      throw new IllegalArgumentException(
          "Key group " + keyGroup + " written after key group " + lastKeyGroup);
    }
    lastKeyGroup = keyGroup;
    write(HeapSnapshotFormat.sectionHeader(keyGroup, body.length));
    write(ByteBuffer.wrap(body));
    ByteBuffer crc = ByteBuffer.allocate(4);
    crc.putInt(HeapSnapshotFormat.crc32c(body, 0, body.length));
    write(crc.flip());
    sections++;
  }

  /** Writes the end marker and forces the file to disk, so the upload reads the whole of it. */
  void finish() {
    write(HeapSnapshotFormat.sectionHeader(HeapSnapshotFormat.END_MARKER, sections));
    try {
      channel.force(true);
    } catch (IOException e) {
      throw new HeapSnapshotException("Cannot write heap snapshot " + file, e);
    }
  }

  private void write(ByteBuffer buffer) {
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      throw new HeapSnapshotException("Cannot write heap snapshot " + file, e);
    }
  }

  /** Removes the file and its directory after {@code failure}; call after {@link #close}. */
  void discard(RuntimeException failure) {
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(file.getParent());
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new HeapSnapshotException("Cannot close heap snapshot " + file, e);
    }
  }
}
