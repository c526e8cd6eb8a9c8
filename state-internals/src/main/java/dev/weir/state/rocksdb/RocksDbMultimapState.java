package dev.weir.state.rocksdb;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.MultimapState;
import org.apache.beam.sdk.state.ReadableState;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One RocksDB key per value: {@code prefix | length-prefixed map key | sequence} → value bytes.
 * Values of one key are contiguous, so {@code get} and {@code remove} touch only that key, and
 * {@code keys()} skips from one key to the next with a seek.
 */
final class RocksDbMultimapState<K, V> extends RocksDbCell implements MultimapState<K, V> {
  private final Coder<K> keyCoder;
  private final Coder<V> valueCoder;
  private final SequenceNumbers sequence;

  RocksDbMultimapState(
      RocksDbCellContext context, byte[] prefix, Coder<K> keyCoder, Coder<V> valueCoder) {
    super(context, prefix);
    this.keyCoder = keyCoder;
    this.valueCoder = valueCoder;
    this.sequence = context.sequence;
  }

  private byte[] keyPrefix(K key) {
    byte[] bytes = encode(keyCoder, key);
    return suffixed(bytes.length + 5).lengthPrefixed(bytes).toBytes();
  }

  private K decodeKey(byte[] stored) {
    return decode(keyCoder, new KeyBytesReader(stored, prefix.length).lengthPrefixed());
  }

  /** The stored key's prefix up to and including the map key. */
  private byte[] keyPrefixOf(byte[] stored) {
    KeyBytesReader reader = new KeyBytesReader(stored, prefix.length);
    int length = reader.lengthPrefixed().length;
    int varIntBytes = 0;
    for (int v = length; ; v >>>= 7) {
      varIntBytes++;
      if ((v & ~0x7f) == 0) {
        break;
      }
    }
    return Arrays.copyOf(stored, prefix.length + varIntBytes + length);
  }

  @Override
  public void put(K key, V value) {
    byte[] keyPrefix = keyPrefix(key);
    store.put(
        cf,
        KeyBytesWriter.startingWith(keyPrefix, 8).orderedLong(sequence.next()).toBytes(),
        encode(valueCoder, value));
  }

  @Override
  public ReadableState<Iterable<V>> get(K key) {
    byte[] keyPrefix = keyPrefix(key);
    return new LazyState<>(
        () ->
            new DecodingIterable<>(
                store.scan(cf, keyPrefix, KeyBytesWriter.prefixEnd(keyPrefix)),
                e -> decode(valueCoder, e.getValue())));
  }

  @Override
  public void remove(K key) {
    byte[] keyPrefix = keyPrefix(key);
    store.deleteRange(cf, keyPrefix, KeyBytesWriter.prefixEnd(keyPrefix));
  }

  @Override
  public ReadableState<Iterable<K>> keys() {
    return new LazyState<>(() -> () -> new DistinctKeys());
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
  public ReadableState<Boolean> containsKey(K key) {
    byte[] keyPrefix = keyPrefix(key);
    return new LazyState<>(
        () -> store.firstKey(cf, keyPrefix, KeyBytesWriter.prefixEnd(keyPrefix)) != null);
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return new LazyState<>(() -> !hasEntries());
  }

  @Override
  public void clear() {
    deleteAll();
  }

  /** Each map key once: after reading a key, seek past all its values. */
  private final class DistinctKeys implements Iterator<K> {
    private byte @Nullable [] from = prefix;
    private byte @Nullable [] nextStored;

    @Override
    public boolean hasNext() {
      if (nextStored == null && from != null) {
        nextStored = store.firstKey(cf, from, prefixEnd());
        from = nextStored == null ? null : KeyBytesWriter.prefixEnd(keyPrefixOf(nextStored));
      }
      return nextStored != null;
    }

    @Override
    public K next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      K key = decodeKey(nextStored);
      nextStored = null;
      return key;
    }
  }
}
