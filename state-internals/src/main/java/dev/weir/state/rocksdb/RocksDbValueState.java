package dev.weir.state.rocksdb;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.ValueState;
import org.checkerframework.checker.nullness.qual.Nullable;

/** A value stored under the cell prefix itself. */
final class RocksDbValueState<T> extends RocksDbCell implements ValueState<T> {
  private final Coder<T> coder;

  RocksDbValueState(RocksDbCellContext context, byte[] prefix, Coder<T> coder) {
    super(context, prefix, context.valuesCf);
    this.coder = coder;
  }

  @Override
  public void write(T input) {
    store.put(cf, prefix, encode(coder, input));
  }

  @Override
  public @Nullable T read() {
    byte[] bytes = store.get(cf, prefix);
    return bytes == null ? null : decode(coder, bytes);
  }

  @Override
  public ValueState<T> readLater() {
    return this;
  }

  @Override
  public void clear() {
    store.delete(cf, prefix);
  }
}
