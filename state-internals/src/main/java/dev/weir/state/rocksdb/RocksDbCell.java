package dev.weir.state.rocksdb;

import java.util.Arrays;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.CoderUtils;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.rocksdb.ColumnFamilyHandle;

/**
 * One state cell: every RocksDB key of the cell starts with {@code keyGroup | key | namespace |
 * state id} (all but the key group length-prefixed), followed by a per-type suffix.
 */
abstract class RocksDbCell {
  final RocksDbStore store;
  final ColumnFamilyHandle cf;
  final byte[] prefix;
  private byte @Nullable [] prefixEnd;

  /** A cell in the column family of collections (bags, sets, maps, lists). */
  RocksDbCell(RocksDbCellContext context, byte[] prefix) {
    this(context, prefix, context.stateCf);
  }

  RocksDbCell(RocksDbCellContext context, byte[] prefix, ColumnFamilyHandle cf) {
    this.store = context.store;
    this.cf = cf;
    this.prefix = prefix;
  }

  /** Computed on first use: point reads and writes, the common case, never need it. */
  final byte[] prefixEnd() {
    if (prefixEnd == null) {
      prefixEnd = KeyBytesWriter.prefixEnd(prefix);
    }
    return prefixEnd;
  }

  KeyBytesWriter suffixed(int extra) {
    return KeyBytesWriter.startingWith(prefix, extra);
  }

  Iterable<Map.Entry<byte[], byte[]>> storedEntries() {
    return store.snapshotScan(cf, prefix, prefixEnd());
  }

  boolean hasEntries() {
    return store.firstKey(cf, prefix, prefixEnd()) != null;
  }

  void deleteAll() {
    store.deleteRange(cf, prefix, prefixEnd());
  }

  /** Cells are views: two views of the same stored cell are equal, as Beam's tests expect. */
  @Override
  public boolean equals(Object o) {
    return o != null
        && o.getClass() == getClass()
        && ((RocksDbCell) o).store == store
        && Arrays.equals(((RocksDbCell) o).prefix, prefix);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(prefix);
  }

  static <T> byte[] encode(Coder<T> coder, T value) {
    try {
      return CoderUtils.encodeToByteArray(coder, value);
    } catch (CoderException e) {
      throw new IllegalArgumentException("Cannot encode state with " + coder, e);
    }
  }

  static <T> T decode(Coder<T> coder, byte[] bytes) {
    try {
      return CoderUtils.decodeFromByteArray(coder, bytes);
    } catch (CoderException e) {
      throw new IllegalStateException("Cannot decode state with " + coder, e);
    }
  }
}
