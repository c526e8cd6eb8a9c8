package dev.weir.state.rocksdb;

import java.util.Arrays;
import org.rocksdb.WriteBatch;

/**
 * A RocksDB write batch built as its serialized form on the heap, so a batch of thousands of
 * writes crosses JNI once instead of twice per write with copies of each key and value.
 *
 * <p>The form is RocksDB's write-batch representation (the write-ahead log's record format): an
 * 8-byte sequence number and a 4-byte count, both little-endian, then per write a type byte, the
 * column family id as a varint unless it is the default family, and the key and value each as a
 * varint length and bytes. {@code WriteBatchBytesTest} checks it byte for byte against batches
 * RocksDB builds itself.
 */
final class WriteBatchBytes {
  private static final int HEADER = 12;
  private static final int COUNT_OFFSET = 8;
  private static final byte DELETION = 0x0;
  private static final byte VALUE = 0x1;
  private static final byte FAMILY_DELETION = 0x4;
  private static final byte FAMILY_VALUE = 0x5;

  private byte[] buf;
  private int size = HEADER;
  private int count;

  WriteBatchBytes(int expectedBytes) {
    buf = new byte[Math.max(HEADER + 16, expectedBytes)];
  }

  void put(int columnFamilyId, byte[] key, byte[] value) {
    ensure(1 + 5 + 5 + key.length + 5 + value.length);
    typeAndFamily(columnFamilyId, VALUE, FAMILY_VALUE);
    lengthPrefixed(key);
    lengthPrefixed(value);
    count++;
  }

  void delete(int columnFamilyId, byte[] key) {
    ensure(1 + 5 + 5 + key.length);
    typeAndFamily(columnFamilyId, DELETION, FAMILY_DELETION);
    lengthPrefixed(key);
    count++;
  }

  int count() {
    return count;
  }

  /** A native batch holding these writes; the caller closes it. */
  WriteBatch toWriteBatch() {
    for (int i = 0; i < 4; i++) {
      buf[COUNT_OFFSET + i] = (byte) (count >>> (8 * i));
    }
    return new WriteBatch(Arrays.copyOf(buf, size));
  }

  private void typeAndFamily(int columnFamilyId, byte defaultFamilyType, byte familyType) {
    if (columnFamilyId == 0) {
      buf[size++] = defaultFamilyType;
    } else {
      buf[size++] = familyType;
      varInt(columnFamilyId);
    }
  }

  private void lengthPrefixed(byte[] bytes) {
    varInt(bytes.length);
    System.arraycopy(bytes, 0, buf, size, bytes.length);
    size += bytes.length;
  }

  private void varInt(int value) {
    while ((value & ~0x7f) != 0) {
      buf[size++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    buf[size++] = (byte) value;
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }
}
