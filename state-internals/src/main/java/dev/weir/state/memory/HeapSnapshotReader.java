package dev.weir.state.memory;

import dev.weir.state.KeyGroupRange;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads the sections of a {@link HeapSnapshotFormat} file whose key groups lie in a range,
 * verifying every checksum it reads; the bodies of other key groups are skipped unread.
 */
final class HeapSnapshotReader {
  /** Receives the body of one key group in range, after its checksum was verified. */
  interface SectionSink {
    void keyGroup(int keyGroup, byte[] body);
  }

  private final Path file;

  HeapSnapshotReader(Path snapshotDirectory) {
    this.file = snapshotDirectory.resolve(HeapSnapshotFormat.FILE_NAME);
  }

  Path file() {
    return file;
  }

  /** The key groups the snapshot's backend owned, from the file's header. */
  KeyGroupRange claimedRange() {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return readHeader(channel);
    } catch (NoSuchFileException e) {
      throw new HeapSnapshotException(
          "Not a heap snapshot (no " + file.getFileName() + "): " + file.getParent(), e);
    } catch (EOFException e) {
      throw truncated();
    } catch (IOException e) {
      throw new HeapSnapshotException("Cannot read heap snapshot " + file, e);
    }
  }

  void read(KeyGroupRange range, SectionSink sink) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      readHeader(channel);
      int sections = 0;
      int previous = -1;
      while (true) {
        long offset = channel.position();
        ByteBuffer header = readFully(channel, HeapSnapshotFormat.SECTION_HEADER_BYTES);
        int keyGroup = header.getInt(0);
        int length = header.getInt(4);
        if (HeapSnapshotFormat.crc32c(header.array(), 0, 8) != header.getInt(8)) {
          throw corrupt("checksum mismatch in the section header at offset " + offset);
        }
        if (keyGroup == HeapSnapshotFormat.END_MARKER) {
          if (length != sections) {
            throw corrupt("end marker counts " + length + " sections, found " + sections);
          }
          if (channel.position() != channel.size()) {
            throw corrupt((channel.size() - channel.position()) + " bytes after the end marker");
          }
          return;
        }
        if (keyGroup <= previous || length < 0) {
          throw corrupt("section of key group " + keyGroup + " at offset " + offset);
        }
        previous = keyGroup;
        sections++;
        long next = channel.position() + length + 4L;
        if (next > channel.size()) {
          throw truncated();
        }
        if (range.contains(keyGroup)) {
          ByteBuffer body = readFully(channel, length);
          int expected = readFully(channel, 4).getInt(0);
          if (HeapSnapshotFormat.crc32c(body.array(), 0, length) != expected) {
            throw corrupt("checksum mismatch in key group " + keyGroup + " at offset " + offset);
          }
          sink.keyGroup(keyGroup, body.array());
        } else {
          channel.position(next);
        }
      }
    } catch (NoSuchFileException e) {
      throw new HeapSnapshotException(
          "Not a heap snapshot (no " + file.getFileName() + "): " + file.getParent(), e);
    } catch (EOFException e) {
      throw truncated();
    } catch (IOException e) {
      throw new HeapSnapshotException("Cannot read heap snapshot " + file, e);
    }
  }

  private KeyGroupRange readHeader(FileChannel channel) throws IOException {
    ByteBuffer header = readFully(channel, HeapSnapshotFormat.HEADER_BYTES);
    byte[] magic = Arrays.copyOf(header.array(), HeapSnapshotFormat.MAGIC.length);
    if (!Arrays.equals(magic, HeapSnapshotFormat.MAGIC)) {
      throw new HeapSnapshotException("Not a Weir heap snapshot (wrong magic): " + file);
    }
    if (HeapSnapshotFormat.crc32c(header.array(), 0, 20) != header.getInt(20)) {
      throw corrupt("checksum mismatch in the file header");
    }
    int version = header.getInt(8);
    if (version != HeapSnapshotFormat.VERSION) {
      throw new HeapSnapshotException(
          "Heap snapshot "
              + file
              + " has format version "
              + version
              + "; this Weir reads version "
              + HeapSnapshotFormat.VERSION);
    }
    int start = header.getInt(12);
    int end = header.getInt(16);
    if (start < 0 || end < start) {
      throw corrupt("key group range [" + start + ", " + end + ") in the file header");
    }
    return KeyGroupRange.of(start, end);
  }

  private static ByteBuffer readFully(FileChannel channel, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw new EOFException();
      }
    }
    return buffer.flip();
  }

  private HeapSnapshotException corrupt(String what) {
    return new HeapSnapshotException("Corrupt heap snapshot " + file + ": " + what);
  }

  private HeapSnapshotException truncated() {
    return new HeapSnapshotException(
        "Truncated heap snapshot " + file + ": it ends before its end marker");
  }
}
