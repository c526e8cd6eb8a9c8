package dev.weir.state;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/** String keys encoded the way the worker encodes keys: the key coder, nested context. */
public final class TestKeys {
  public static final int MAX_PARALLELISM = 128;

  private TestKeys() {}

  public static StateKey of(String key) {
    byte[] bytes = encode(key);
    return new StateKey(bytes, key, KeyGroups.keyGroupFor(bytes, MAX_PARALLELISM));
  }

  /** The first key "prefix-N" whose key group lies in {@code range}. */
  public static StateKey inRange(String prefix, KeyGroupRange range) {
    for (int i = 0; ; i++) {
      StateKey key = of(prefix + "-" + i);
      if (range.contains(key.keyGroup())) {
        return key;
      }
    }
  }

  /** The key of canonical key bytes made by {@link #of}. */
  public static String decode(byte[] bytes) {
    try {
      return StringUtf8Coder.of().decode(new ByteArrayInputStream(bytes), Coder.Context.NESTED);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] encode(String key) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      StringUtf8Coder.of().encode(key, out, Coder.Context.NESTED);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
