package dev.weir.state.rocksdb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads back what {@link KeyBytesWriter} wrote. */
final class KeyBytesReader {
  private final byte[] buf;
  private int pos;

  KeyBytesReader(byte[] buf, int pos) {
    this.buf = buf;
    this.pos = pos;
  }

  int varInt() {
    int value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = buf[pos++];
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
  }

  byte[] lengthPrefixed() {
    int len = varInt();
    byte[] out = Arrays.copyOfRange(buf, pos, pos + len);
    pos += len;
    return out;
  }

  String lengthPrefixedString() {
    return new String(lengthPrefixed(), StandardCharsets.UTF_8);
  }

  long orderedLong() {
    long v = KeyBytesWriter.readOrderedLong(buf, pos);
    pos += 8;
    return v;
  }

  /** Bytes read so far, counted from the start of the buffer. */
  int position() {
    return pos;
  }

  int oneByte() {
    return buf[pos++] & 0xff;
  }
}
