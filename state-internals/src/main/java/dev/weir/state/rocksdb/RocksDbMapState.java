package dev.weir.state.rocksdb;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.ReadableState;
import org.checkerframework.checker.nullness.qual.Nullable;

/** One RocksDB key per map entry: {@code prefix | map key bytes} → value bytes. */
final class RocksDbMapState<K, V> extends RocksDbCell implements MapState<K, V> {
  private final Coder<K> keyCoder;
  private final Coder<V> valueCoder;

  RocksDbMapState(RocksDbCellContext context, byte[] prefix, Coder<K> keyCoder, Coder<V> valueCoder) {
    super(context, prefix);
    this.keyCoder = keyCoder;
    this.valueCoder = valueCoder;
  }

  private byte[] entryKey(K key) {
    byte[] bytes = encode(keyCoder, key);
    return suffixed(bytes.length).bytes(bytes).toBytes();
  }

  private K decodeKey(byte[] stored) {
    return decode(keyCoder, Arrays.copyOfRange(stored, prefix.length, stored.length));
  }

  private @Nullable V readValue(byte[] entryKey) {
    byte[] bytes = store.get(cf, entryKey);
    return bytes == null ? null : decode(valueCoder, bytes);
  }

  @Override
  public void put(K key, V value) {
    store.put(cf, entryKey(key), encode(valueCoder, value));
  }

  /** Returns the value before the call, as Beam's in-memory reference does. */
  @Override
  public ReadableState<V> computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
    byte[] entryKey = entryKey(key);
    V previous = readValue(entryKey);
    if (previous == null) {
      store.put(cf, entryKey, encode(valueCoder, mappingFunction.apply(key)));
    }
    return new ImmediateState<>(previous);
  }

  @Override
  public void remove(K key) {
    store.delete(cf, entryKey(key));
  }

  @Override
  public ReadableState<V> get(K key) {
    return getOrDefault(key, null);
  }

  @Override
  public ReadableState<V> getOrDefault(K key, @Nullable V defaultValue) {
    byte[] entryKey = entryKey(key);
    return new LazyState<>(
        () -> {
          V value = readValue(entryKey);
          return value == null ? defaultValue : value;
        });
  }

  @Override
  public ReadableState<Iterable<K>> keys() {
    return new LazyState<>(() -> new DecodingIterable<>(storedEntries(), e -> decodeKey(e.getKey())));
  }

  @Override
  public ReadableState<Iterable<V>> values() {
    return new LazyState<>(
        () -> new DecodingIterable<>(storedEntries(), e -> decode(valueCoder, e.getValue())));
  }

  @Override
  public ReadableState<Iterable<Map.Entry<K, V>>> entries() {
    return new LazyState<>(
        () ->
            new DecodingIterable<>(
                storedEntries(),
                e ->
                    new SimpleImmutableEntry<>(
                        decodeKey(e.getKey()), decode(valueCoder, e.getValue()))));
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return new LazyState<>(() -> !hasEntries());
  }

  @Override
  public void clear() {
    deleteAll();
  }
}
