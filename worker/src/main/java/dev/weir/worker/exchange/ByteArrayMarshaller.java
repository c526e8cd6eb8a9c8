package dev.weir.worker.exchange;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Passes byte arrays through gRPC as they are. The outgoing stream announces its length and drains
 * the array in one write, so gRPC copies it once into its transport buffer and no more; the
 * incoming side reads straight into an array of the exact size.
 */
final class ByteArrayMarshaller implements MethodDescriptor.Marshaller<byte[]> {
  static final ByteArrayMarshaller INSTANCE = new ByteArrayMarshaller();

  private ByteArrayMarshaller() {}

  @Override
  public InputStream stream(byte[] value) {
    return new DrainableBytes(value);
  }

  @Override
  public byte[] parse(InputStream stream) {
    try {
      if (stream instanceof KnownLength) {
        int length = stream.available();
        byte[] bytes = new byte[length];
        int read = stream.readNBytes(bytes, 0, length);
        if (read == length && stream.read() == -1) {
          return bytes;
        }
        throw new IOException("message length differs from its announced " + length + " bytes");
      }
      return stream.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read exchange frame", e);
    }
  }

  private static final class DrainableBytes extends ByteArrayInputStream
      implements KnownLength, Drainable {
    DrainableBytes(byte[] bytes) {
      super(bytes);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int length = count - pos;
      target.write(buf, pos, length);
      pos = count;
      return length;
    }
  }
}
