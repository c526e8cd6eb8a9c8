package dev.weir.worker.usercode;

import java.io.Serializable;
import org.apache.beam.sdk.util.SerializableUtils;

/**
 * A job's user code (its translated plan, an exception its code threw) as bytes, in Beam's form
 * ({@link SerializableUtils}: Java serialization, Snappy-compressed), and back inside the job's
 * class loader. See the package comment for who may call {@link #decode} on what.
 */
public final class UserCodeBytes {
  private UserCodeBytes() {}

  public static byte[] encode(Serializable value) {
    return SerializableUtils.serializeToByteArray(value);
  }

  /**
   * The object {@code bytes} hold, its classes (and those its {@code readObject} methods look up
   * through the thread's context class loader, as Beam's coders do) resolved by {@code jobLoader}.
   *
   * @throws IllegalArgumentException if the bytes do not hold a {@code type}
   */
  public static <T> T decode(byte[] bytes, Class<T> type, ClassLoader jobLoader, String what) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(jobLoader);
    Object value;
    try {
      value = SerializableUtils.deserializeFromByteArray(bytes, what);
    } finally {
      thread.setContextClassLoader(previous);
    }
    if (!type.isInstance(value)) {
      throw new IllegalArgumentException(
          what + " is a " + (value == null ? "null" : value.getClass().getName())
              + ", not a " + type.getName());
    }
    return type.cast(value);
  }
}
