package dev.weir.state.rocksdb;

import dev.weir.state.KeyGroups;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds RocksDB keys. Variable-length parts are length-prefixed so that a cell's prefix never is
 * the prefix of another cell; timestamps are written so that unsigned byte order is time order.
 */
final class KeyBytesWriter {
  private byte[] buf;
  private int size;

  KeyBytesWriter(int capacity) {
    buf = new byte[Math.max(capacity, 16)];
  }

  static KeyBytesWriter startingWith(byte[] prefix, int extra) {
    return new KeyBytesWriter(prefix.length + extra).bytes(prefix);
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }

  KeyBytesWriter keyGroup(int keyGroup) {
    ensure(2);
    KeyGroups.writePrefix(keyGroup, buf, size);
    size += 2;
    return this;
  }

  KeyBytesWriter oneByte(int b) {
    ensure(1);
    buf[size++] = (byte) b;
    return this;
  }

  KeyBytesWriter varInt(int value) {
    ensure(5);
    while ((value & ~0x7f) != 0) {
      buf[size++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    buf[size++] = (byte) value;
    return this;
  }

  /** Bytes {@link #varInt} writes for {@code value}. */
  static int varIntSize(int value) {
    int size = 1;
    while ((value & ~0x7f) != 0) {
      value >>>= 7;
      size++;
    }
    return size;
  }

  KeyBytesWriter bytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, size, b.length);
    size += b.length;
    return this;
  }

  KeyBytesWriter bytes(byte[] b, int from) {
    return bytes(b, from, b.length - from);
  }

  KeyBytesWriter bytes(byte[] b, int from, int length) {
    ensure(length);
    System.arraycopy(b, from, buf, size, length);
    size += length;
    return this;
  }

  KeyBytesWriter lengthPrefixed(byte[] b) {
    return varInt(b.length).bytes(b);
  }

  KeyBytesWriter lengthPrefixed(String s) {
    return lengthPrefixed(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Big-endian with the sign bit flipped: unsigned byte order equals signed numeric order. */
  KeyBytesWriter orderedLong(long value) {
    ensure(8);
    long v = value ^ Long.MIN_VALUE;
    for (int i = 7; i >= 0; i--) {
      buf[size + i] = (byte) v;
      v >>>= 8;
    }
    size += 8;
    return this;
  }

  /** The bytes written; the writer must not be written to afterwards (it may hand over its own). */
  byte[] toBytes() {
    return size == buf.length ? buf : Arrays.copyOf(buf, size);
  }

  static long readOrderedLong(byte[] b, int offset) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[offset + i] & 0xff);
    }
    return v ^ Long.MIN_VALUE;
  }

  /** The smallest key greater than every key starting with {@code prefix}. */
  static byte[] prefixEnd(byte[] prefix) {
    byte[] end = Arrays.copyOf(prefix, prefix.length);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    throw new IllegalArgumentException("Prefix of only 0xff bytes has no end");
  }

  /** The smallest key greater than {@code key}. */
  static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }
}
