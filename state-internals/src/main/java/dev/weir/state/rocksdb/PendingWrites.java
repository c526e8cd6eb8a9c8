package dev.weir.state.rocksdb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.IdentityHashMap;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.rocksdb.ColumnFamilyHandle;
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

  static final int MAX_ENTRIES = 16_384;
  private static final long MAX_BYTES = 8L << 20;
  /** Batches larger than this clear the whole map; smaller ones remove their keys one by one. */
  private static final int KEEP_CAPACITY = 1_024;

  // Writes a point read may look up, by key; each entry holds its latest value.
  private final Map<PendingKey, PendingKey> writes = new HashMap<>();
  // Every write in first-written order: sorting them costs their number, not the map's size.
  private final List<PendingKey> order = new ArrayList<>();
  private final PendingAppends appends = new PendingAppends();
  private final Map<ColumnFamilyHandle, Integer> familyIds = new IdentityHashMap<>();
  private long bytes;

  /** The pending value of {@code key}, {@link #DELETED} for a pending delete, or null if none. */
  byte @Nullable [] get(ColumnFamilyHandle cf, byte[] key) {
    if (writes.isEmpty()) {
      return null;
    }
    PendingKey written = writes.get(new PendingKey(cf, key, null));
    return written == null ? null : written.value;
  }

  void put(ColumnFamilyHandle cf, byte[] key, byte[] value) {
    PendingKey write = new PendingKey(cf, key, value);
    PendingKey earlier = writes.putIfAbsent(write, write);
    if (earlier == null) {
      order.add(write);
    } else {
      earlier.value = value;
    }
    bytes += key.length + value.length;
  }

  /**
   * Adds an element to an append-only cell (a bag) under {@code prefix}: to the cell's chunk in
   * this batch, or to a new chunk stored under {@code prefix | newSequence} ({@link
   * PendingAppends}). Elements are never looked up by {@link #get}: they are only read by range
   * reads, which apply this batch first. The cell's keys must only ever be removed by a range
   * delete, which also applies this batch first; a single-key delete under the prefix would make
   * {@link #hasAppendUnder} wrong.
   */
  void append(ColumnFamilyHandle cf, byte[] prefix, long newSequence, byte[] element) {
    bytes += appends.append(cf, prefix, newSequence, element);
  }

  boolean hasAppendUnder(ColumnFamilyHandle cf, byte[] prefix) {
    return appends.contains(cf, prefix);
  }

  void delete(ColumnFamilyHandle cf, byte[] key) {
    put(cf, key, DELETED);
  }

  boolean isEmpty() {
    return order.isEmpty() && appends.isEmpty();
  }

  boolean isFull() {
    return order.size() >= MAX_ENTRIES || bytes >= MAX_BYTES;
  }

  /**
   * Every pending write in key order, each key once with its last value, as one native batch; the
   * caller writes and closes it and then calls {@link #clear}.
   */
  WriteBatch toWriteBatch() {
    List<PendingKey> writes = order;
    if (!appends.isEmpty()) {
      // A copy: the task's thread may still look the batch's appends up while this runs.
      writes = new ArrayList<>(order.size() + appends.chunkCount());
      writes.addAll(order);
      List<PendingKey> all = writes;
      appends.forEachChunk((cf, key, value) -> all.add(new PendingKey(cf, key, value)));
    }
    writes.sort(PendingWrites::compare);
    // Keys and values plus at most 11 bytes of type, family and lengths per write.
    long expected = bytes + 11L * writes.size() + 12;
    WriteBatchBytes batch = new WriteBatchBytes((int) Math.min(expected, 1 << 30));
    ColumnFamilyHandle lastCf = null;
    int lastId = 0;
    for (PendingKey write : writes) {
      if (write.cf != lastCf) {
        lastCf = write.cf;
        lastId = familyId(lastCf);
      }
      if (write.value == DELETED) {
        batch.delete(lastId, write.bytes);
      } else {
        batch.put(lastId, write.bytes, write.value);
      }
    }
    return batch.toWriteBatch();
  }

  /** Asked of RocksDB once per column family: each ask is a JNI call. */
  private int familyId(ColumnFamilyHandle cf) {
    Integer id = familyIds.get(cf);
    if (id == null) {
      id = cf.getID();
      familyIds.put(cf, id);
    }
    return id;
  }

  void clear() {
    if (order.size() > KEEP_CAPACITY) {
      // A full batch fills again: keep the map's capacity rather than regrow it.
      writes.clear();
    } else if (!writes.isEmpty()) {
      // A small batch (before a range read) must not pay for clearing a large map's table.
      for (PendingKey write : order) {
        writes.remove(write);
      }
    }
    order.clear();
    appends.clear();
    bytes = 0;
  }

  private static int compare(PendingKey x, PendingKey y) {
    if (x.cf != y.cf) {
      // Any grouping by column family will do; the order only matters for speed.
      return Integer.compare(System.identityHashCode(x.cf), System.identityHashCode(y.cf));
    }
    // Most keys differ in their first eight bytes: one unsigned long comparison decides.
    int byHead = Long.compareUnsigned(x.head(), y.head());
    return byHead != 0 ? byHead : Arrays.compareUnsigned(x.bytes, y.bytes);
  }

  /** A RocksDB key in one column family, with its pending value when it is a write. */
  private static final class PendingKey {
    final ColumnFamilyHandle cf;
    final byte[] bytes;
    byte @Nullable [] value;
    /** The first eight bytes, big-endian, zero-padded: orders like the bytes as far as it goes. */
    private long head;
    private boolean headKnown;
    // Computed on first use: appended elements are never hashed.
    private int hash;

    PendingKey(ColumnFamilyHandle cf, byte[] bytes, byte @Nullable [] value) {
      this.cf = cf;
      this.bytes = bytes;
      this.value = value;
    }

    /** Computed when the batch is sorted: most keys are only built to look a read up. */
    long head() {
      if (!headKnown) {
        long h = 0;
        for (int i = 0; i < 8; i++) {
          h = (h << 8) | (i < bytes.length ? bytes[i] & 0xff : 0);
        }
        head = h;
        headKnown = true;
      }
      return head;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PendingKey
          && ((PendingKey) o).cf == cf
          && Arrays.equals(((PendingKey) o).bytes, bytes);
    }

    @Override
    public int hashCode() {
      if (hash == 0) {
        hash = Arrays.hashCode(bytes) * 31 + System.identityHashCode(cf);
      }
      return hash;
    }
  }
}
