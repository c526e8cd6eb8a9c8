package dev.weir.state.rocksdb;

import java.util.Arrays;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.ReadableState;
import org.apache.beam.sdk.state.SetState;

/**
 * One RocksDB key per element ({@code prefix | element bytes}); Beam requires a deterministic
 * element coder for sets, so equal elements have equal bytes.
 */
final class RocksDbSetState<T> extends RocksDbCell implements SetState<T> {
  private static final byte[] PRESENT = new byte[0];
  private final Coder<T> coder;

  RocksDbSetState(RocksDbCellContext context, byte[] prefix, Coder<T> coder) {
    super(context, prefix);
    this.coder = coder;
  }

  private byte[] elementKey(T element) {
    byte[] bytes = encode(coder, element);
    return suffixed(bytes.length).bytes(bytes).toBytes();
  }

  @Override
  public void add(T value) {
    store.put(cf, elementKey(value), PRESENT);
  }

  /** Beam's in-memory reference answers at call time; so do we. */
  @Override
  public ReadableState<Boolean> contains(T t) {
    return new ImmediateState<>(store.get(cf, elementKey(t)) != null);
  }

  @Override
  public ReadableState<Boolean> addIfAbsent(T t) {
    byte[] key = elementKey(t);
    boolean absent = store.get(cf, key) == null;
    if (absent) {
      store.put(cf, key, PRESENT);
    }
    return new ImmediateState<>(absent);
  }

  @Override
  public void remove(T t) {
    store.delete(cf, elementKey(t));
  }

  @Override
  public Iterable<T> read() {
    return new DecodingIterable<>(
        storedEntries(),
        e -> decode(coder, Arrays.copyOfRange(e.getKey(), prefix.length, e.getKey().length)));
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return new LazyState<>(() -> !hasEntries());
  }

  @Override
  public SetState<T> readLater() {
    return this;
  }

  @Override
  public void clear() {
    deleteAll();
  }
}
