package dev.weir.state.rocksdb;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.ReadableState;


/**
 * A bag as RocksDB keys {@code prefix | sequence}, each holding the elements added to the bag
 * while one write batch filled ({@link BagChunks}), so adding is a blind write and reading iterates
 * RocksDB lazily instead of loading the bag.
 */
final class RocksDbBagState<T> extends RocksDbCell implements BagState<T> {
  private final Coder<T> coder;
  private final SequenceNumbers sequence;

  RocksDbBagState(RocksDbCellContext context, byte[] prefix, Coder<T> coder) {
    super(context, prefix);
    this.coder = coder;
    this.sequence = context.sequence;
  }

  @Override
  public void add(T value) {
    // Elements are only removed all together (clear), so the store may remember the bag as
    // non-empty without a seek.
    store.append(cf, prefix, sequence.next(), encode(coder, value));
  }

  @Override
  public Iterable<T> read() {
    return BagChunks.elements(storedEntries(), coder);
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return new ReadableState<Boolean>() {
      @Override
      public Boolean read() {
        return !store.hasAppended(cf, prefix, prefixEnd());
      }

      @Override
      public ReadableState<Boolean> readLater() {
        return this;
      }
    };
  }

  @Override
  public BagState<T> readLater() {
    return this;
  }

  @Override
  public void clear() {
    deleteAll();
  }
}
