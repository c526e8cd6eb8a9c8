package dev.weir.state.rocksdb;

import org.apache.beam.sdk.state.ReadableState;
import org.apache.beam.sdk.state.WatermarkHoldState;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The combined hold under the cell prefix, mirrored in the {@link RocksDbHoldIndex} so the
 * backend's minimum hold never needs a scan.
 */
final class RocksDbWatermarkHoldState extends RocksDbCell implements WatermarkHoldState {
  private final TimestampCombiner combiner;
  private final RocksDbHoldIndex holds;

  RocksDbWatermarkHoldState(RocksDbCellContext context, byte[] prefix, TimestampCombiner combiner) {
    super(context, prefix, context.valuesCf);
    this.combiner = combiner;
    this.holds = context.holds;
  }

  @Override
  public TimestampCombiner getTimestampCombiner() {
    return combiner;
  }

  @Override
  public void add(Instant value) {
    Instant current = read();
    Instant next = current == null ? value : combiner.combine(current, value);
    if (next.equals(current)) {
      return;
    }
    if (current != null) {
      holds.remove(current, RocksDbHoldIndex.KIND_STATE, prefix);
    }
    store.put(cf, prefix, new KeyBytesWriter(8).orderedLong(next.getMillis()).toBytes());
    holds.add(next, RocksDbHoldIndex.KIND_STATE, prefix);
  }

  @Override
  public @Nullable Instant read() {
    byte[] bytes = store.get(cf, prefix);
    return bytes == null ? null : new Instant(KeyBytesWriter.readOrderedLong(bytes, 0));
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return new LazyState<>(() -> store.get(cf, prefix) == null);
  }

  @Override
  public WatermarkHoldState readLater() {
    return this;
  }

  @Override
  public void clear() {
    Instant current = read();
    if (current != null) {
      holds.remove(current, RocksDbHoldIndex.KIND_STATE, prefix);
      store.delete(cf, prefix);
    }
  }
}
