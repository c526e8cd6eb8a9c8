package dev.weir.state.memory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The file a heap snapshot directory holds, {@value #FILE_NAME}. All integers big-endian.
 *
 * <pre>
 * header   magic "WEIRHEAP" (8 bytes) | format version (int)
 *          | key group range of the backend: start, end (int, int) | CRC32C of the preceding 20 bytes (int)
 * section  key group (int) | body length (int) | CRC32C of those 8 bytes (int)
 *          | body | CRC32C of the body (int)          -- one per non-empty key group, ascending
 * end      -1 (int) | number of sections (int) | CRC32C of those 8 bytes (int)
 * </pre>
 *
 * A section's header has its own checksum so that a restore can skip the body of a key group it
 * does not own by its length, trusting the length, without reading it. The body of a key group
 * ({@link KeyGroupSection}) holds its keys' state cells as Beam coder bytes and its timers.
 *
 * <p>A reader refuses other versions; a change of layout gets a new version, and a reader of the
 * new version keeps reading the old ones.
 */
final class HeapSnapshotFormat {
  private HeapSnapshotFormat() {}

  static final String FILE_NAME = "heap-keyed-state.bin";
  static final byte[] MAGIC = "WEIRHEAP".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int HEADER_BYTES = 24;
  static final int SECTION_HEADER_BYTES = 12;
  static final int END_MARKER = -1;

  static int crc32c(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  /** Key group (or end marker), length (or count), and the checksum of both. */
  static ByteBuffer sectionHeader(int keyGroup, int length) {
    ByteBuffer header = ByteBuffer.allocate(SECTION_HEADER_BYTES);
    header.putInt(keyGroup).putInt(length);
    header.putInt(crc32c(header.array(), 0, 8));
    return header.flip();
  }
}
