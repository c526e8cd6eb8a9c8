package dev.weir.worker.control;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.UncheckedIOException;

/**
 * Carries one Java-serialized object per gRPC message. Classes resolve through the thread's
 * context class loader first, so user classes inside messages (exceptions, options) load the same
 * way the rest of the process loads them.
 */
final class JavaSerializedMarshaller<T> implements MethodDescriptor.Marshaller<T> {
  private final Class<T> type;

  JavaSerializedMarshaller(Class<T> type) {
    this.type = type;
  }

  @Override
  public InputStream stream(T value) {
    return new ByteArrayInputStream(serialize(value));
  }

  @Override
  public T parse(InputStream stream) {
    try {
      return type.cast(deserialize(stream.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read control message", e);
    }
  }

  static byte[] serialize(Object value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialize control message " + value, e);
    }
    return bytes.toByteArray();
  }

  static Object deserialize(byte[] bytes) {
    try (ObjectInputStream in = new ContextClassLoaderInput(new ByteArrayInputStream(bytes))) {
      return in.readObject();
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalStateException(
          "cannot deserialize control message (is the same classpath on every Weir process?)", e);
    }
  }

  private static final class ContextClassLoaderInput extends ObjectInputStream {
    ContextClassLoaderInput(InputStream in) throws IOException {
      super(in);
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc)
        throws IOException, ClassNotFoundException {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      if (loader != null) {
        try {
          return Class.forName(desc.getName(), false, loader);
        } catch (ClassNotFoundException e) {
          // Fall back to the default resolution (primitives, bootstrap classes).
        }
      }
      return super.resolveClass(desc);
    }
  }
}
