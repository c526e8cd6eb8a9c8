package dev.weir.state.rocksdb;

import org.apache.beam.sdk.state.ReadableState;
import org.checkerframework.checker.nullness.qual.Nullable;

/** A result already read, for methods whose answer Beam defines at call time. */
final class ImmediateState<T> implements ReadableState<T> {
  private final @Nullable T value;

  ImmediateState(@Nullable T value) {
    this.value = value;
  }

  @Override
  public @Nullable T read() {
    return value;
  }

  @Override
  public ReadableState<T> readLater() {
    return this;
  }
}
