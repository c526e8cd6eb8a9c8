package dev.weir.state.rocksdb;

import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.OrderedListState;
import org.apache.beam.sdk.state.ReadableState;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/**
 * Elements as sorted RocksDB keys {@code prefix | timestamp | sequence} → element bytes. The
 * sequence keeps every element with an equal timestamp (in insertion order); ranges are key ranges,
 * so reading or clearing one touches only the elements in it.
 */
final class RocksDbOrderedListState<T> extends RocksDbCell implements OrderedListState<T> {
  private final Coder<T> coder;
  private final SequenceNumbers sequence;

  RocksDbOrderedListState(RocksDbCellContext context, byte[] prefix, Coder<T> coder) {
    super(context, prefix);
    this.coder = coder;
    this.sequence = context.sequence;
  }

  private byte[] at(Instant timestamp) {
    return suffixed(8).orderedLong(timestamp.getMillis()).toBytes();
  }

  private TimestampedValue<T> decodeEntry(Map.Entry<byte[], byte[]> e) {
    Instant timestamp = new Instant(KeyBytesWriter.readOrderedLong(e.getKey(), prefix.length));
    return TimestampedValue.of(decode(coder, e.getValue()), timestamp);
  }

  @Override
  public void add(TimestampedValue<T> value) {
    store.put(
        cf,
        suffixed(16)
            .orderedLong(value.getTimestamp().getMillis())
            .orderedLong(sequence.next())
            .toBytes(),
        encode(coder, value.getValue()));
  }

  @Override
  public Iterable<TimestampedValue<T>> read() {
    return new DecodingIterable<>(storedEntries(), this::decodeEntry);
  }

  /** Elements with {@code minTimestamp <= timestamp < limitTimestamp}. */
  @Override
  public Iterable<TimestampedValue<T>> readRange(Instant minTimestamp, Instant limitTimestamp) {
    return new DecodingIterable<>(
        store.snapshotScan(cf, at(minTimestamp), at(limitTimestamp)), this::decodeEntry);
  }

  @Override
  public void clearRange(Instant minTimestamp, Instant limitTimestamp) {
    store.deleteRange(cf, at(minTimestamp), at(limitTimestamp));
  }

  @Override
  public OrderedListState<T> readRangeLater(Instant minTimestamp, Instant limitTimestamp) {
    return this;
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return new LazyState<>(() -> !hasEntries());
  }

  @Override
  public OrderedListState<T> readLater() {
    return this;
  }

  @Override
  public void clear() {
    deleteAll();
  }
}
