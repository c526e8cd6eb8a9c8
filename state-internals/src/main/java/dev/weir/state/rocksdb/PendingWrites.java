package dev.weir.state.rocksdb;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Writes not yet applied to RocksDB, applied together as one {@link WriteBatch}. A single RocksDB
 * write costs a few microseconds whatever its size (write-thread hand-off, sequence numbers), so
 * state writes collect here and point reads look here first; the owner applies them before range
 * reads, snapshots and close, and whenever {@link #isFull}.
 *
 * <p>Point lookups are hashed (a sorted map made every state read of a busy GroupByKey a dozen
 * byte-array comparisons); the batch is sorted once when applied, because RocksDB's memtable
 * inserts a key next to the previous one cheaply while random inserts into a large memtable pay a
 * cache miss per skip-list level.
 */
final class PendingWrites {
  /** The value of a pending delete; compared by identity. */
  static final byte[] DELETED = new byte[0];

  private static final int MAX_ENTRIES = 16_384;
  private static final long MAX_BYTES = 8L << 20;
  /** A map that grew past this is replaced when cleared: iterating a cleared map costs its size. */
  private static final int KEEP_CAPACITY = 1_024;

  private Map<PendingKey, byte[]> writes = new HashMap<>();
  private Set<PendingKey> appendedPrefixes = new HashSet<>();
  private long bytes;

  /** The pending value of {@code key}, {@link #DELETED} for a pending delete, or null if none. */
  byte @Nullable [] get(ColumnFamilyHandle cf, byte[] key) {
    return writes.isEmpty() ? null : writes.get(new PendingKey(cf, key));
  }

  void put(ColumnFamilyHandle cf, byte[] key, byte[] value) {
    writes.put(new PendingKey(cf, key), value);
    bytes += key.length + value.length;
  }

  /**
   * A put of an element of an append-only cell (a bag) under {@code prefix}, remembered so that
   * {@link #hasAppendUnder} can tell the cell is not empty without a RocksDB seek. The cell's keys
   * must only ever be removed by a range delete, which applies this batch first (clearing the
   * memory of appends); a single-key delete under the prefix would make the answer wrong.
   */
  void append(ColumnFamilyHandle cf, byte[] prefix, byte[] key, byte[] value) {
    put(cf, key, value);
    appendedPrefixes.add(new PendingKey(cf, prefix));
  }

  boolean hasAppendUnder(ColumnFamilyHandle cf, byte[] prefix) {
    return !appendedPrefixes.isEmpty() && appendedPrefixes.contains(new PendingKey(cf, prefix));
  }

  void delete(ColumnFamilyHandle cf, byte[] key) {
    writes.put(new PendingKey(cf, key), DELETED);
    bytes += key.length;
  }

  boolean isEmpty() {
    return writes.isEmpty();
  }

  boolean isFull() {
    return writes.size() >= MAX_ENTRIES || bytes >= MAX_BYTES;
  }

  /**
   * Adds every pending write to {@code batch} in key order, each key once with its last value; the
   * caller writes the batch and then calls {@link #clear}.
   */
  void addTo(WriteBatch batch) throws RocksDBException {
    @SuppressWarnings("unchecked")
    Map.Entry<PendingKey, byte[]>[] sorted = writes.entrySet().toArray(new Map.Entry[0]);
    Arrays.sort(sorted, PendingWrites::compare);
    for (Map.Entry<PendingKey, byte[]> write : sorted) {
      PendingKey key = write.getKey();
      if (write.getValue() == DELETED) {
        batch.delete(key.cf, key.bytes);
      } else {
        batch.put(key.cf, key.bytes, write.getValue());
      }
    }
  }

  void clear() {
    if (writes.size() > KEEP_CAPACITY) {
      writes = new HashMap<>();
    } else {
      writes.clear();
    }
    if (appendedPrefixes.size() > KEEP_CAPACITY) {
      appendedPrefixes = new HashSet<>();
    } else {
      appendedPrefixes.clear();
    }
    bytes = 0;
  }

  private static int compare(Map.Entry<PendingKey, byte[]> a, Map.Entry<PendingKey, byte[]> b) {
    PendingKey x = a.getKey();
    PendingKey y = b.getKey();
    if (x.cf != y.cf) {
      // Any grouping by column family will do; the order only matters for speed.
      return Integer.compare(System.identityHashCode(x.cf), System.identityHashCode(y.cf));
    }
    return Arrays.compareUnsigned(x.bytes, y.bytes);
  }

  /** A RocksDB key in one column family, hashed once. */
  private static final class PendingKey {
    final ColumnFamilyHandle cf;
    final byte[] bytes;
    private final int hash;

    PendingKey(ColumnFamilyHandle cf, byte[] bytes) {
      this.cf = cf;
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes) * 31 + System.identityHashCode(cf);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PendingKey
          && ((PendingKey) o).cf == cf
          && Arrays.equals(((PendingKey) o).bytes, bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
