package dev.weir.checkpoint.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.CRC32C;

/** Size and CRC32C of bytes copied from one stream to another, computed on the way through. */
record CopiedBytes(long size, int crc32c) {
  private static final int BUFFER_BYTES = 1 << 20;

  /** Copies {@code in} to {@code out} (null: only reads) until the end; closes neither. */
  static CopiedBytes copy(InputStream in, OutputStream out) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[BUFFER_BYTES];
    long size = 0;
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      crc.update(buffer, 0, n);
      if (out != null) {
        out.write(buffer, 0, n);
      }
      size += n;
    }
    return new CopiedBytes(size, (int) crc.getValue());
  }

  static String hex(int crc32c) {
    return String.format("0x%08x", crc32c);
  }
}
