package dev.weir.state.rocksdb;

import java.util.function.Supplier;
import org.apache.beam.sdk.state.ReadableState;

/** A result read from RocksDB when {@link #read()} is called, so it sees later writes. */
final class LazyState<T> implements ReadableState<T> {
  private final Supplier<T> reader;

  LazyState(Supplier<T> reader) {
    this.reader = reader;
  }

  @Override
  public T read() {
    return reader.get();
  }

  @Override
  public ReadableState<T> readLater() {
    return this;
  }
}
