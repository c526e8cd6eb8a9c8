package dev.weir.state;

import java.util.Arrays;

/**
 * A key as both its canonical bytes (used for storage and routing) and its decoded value (what
 * Beam's {@code StateInternals.getKey()} returns to user code).
 */
public final class StateKey {
  private final byte[] bytes;
  private final Object key;
  private final int keyGroup;

  public StateKey(byte[] bytes, Object key, int keyGroup) {
    this.bytes = bytes;
    this.key = key;
    this.keyGroup = keyGroup;
  }

  public byte[] bytes() {
    return bytes;
  }

  public Object key() {
    return key;
  }

  public int keyGroup() {
    return keyGroup;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StateKey && Arrays.equals(((StateKey) o).bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }
}
