package dev.weir.state.rocksdb;

import java.util.Arrays;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A bounded heap cache of what point reads of a few column families found in RocksDB, values and
 * absences alike, so a key read again skips RocksDB: a point read of a memtable holding 100,000
 * keys spends most of its ~2 µs in cache misses down the skip list, and a read of a missing key
 * also pays for a C++ exception inside RocksJava.
 *
 * <p>Only reads fill it ({@link #remember}); writes update keys it already holds ({@link
 * #written}) and never add one, so keys that are written but never point-read (list elements,
 * bag chunks) take no room. Whoever writes a cached family must report every write, so a cached
 * entry always equals the latest value. The families share the budget, so whichever is read more
 * holds more of it. Used by one task thread.
 *
 * <p>An open-addressing table (linear probing, deletion by backward shift) with CLOCK eviction:
 * a hit sets a bit, no list is relinked and no object is allocated per entry. The byte budget
 * counts key and value arrays and the table's slots.
 */
final class PointReadCache {
  /** Cached "no such key"; compared by identity. */
  static final byte[] ABSENT = new byte[0];

  /** Object header and length of a byte array on a 64-bit JVM with compressed pointers. */
  private static final int ARRAY_HEADER = 16;
  /** Slot cost: a key and a value reference, a hash, a family and a reference bit. */
  private static final int SLOT_BYTES = 4 + 4 + 4 + 1 + 1;

  private static final int INITIAL_SLOTS = 1 << 10;

  private final long maxBytes;
  private byte[][] keys;
  private byte[][] values;
  private int[] hashes;
  private byte[] families;
  private boolean[] referenced;
  private int mask;
  private int size;
  /** Bytes of the cached arrays, without the table. */
  private long entryBytes;
  /** Xorshift state choosing the slots eviction looks at. */
  private int random = 0x2545F491;
  /** Fingerprints of recent misses that were not admitted; see {@link #missedBefore}. */
  private int @Nullable [] recentMisses;

  /** @param maxBytes heap this cache may use; 0 turns it off */
  PointReadCache(long maxBytes) {
    this.maxBytes = maxBytes;
    allocate(INITIAL_SLOTS);
  }

  private void allocate(int slots) {
    keys = new byte[slots][];
    values = new byte[slots][];
    hashes = new int[slots];
    families = new byte[slots];
    referenced = new boolean[slots];
    mask = slots - 1;
  }

  /**
   * The cached value of {@code key} in {@code family} (a small number the caller gives each column
   * family), {@link #ABSENT} if it is known to be missing, null if unknown.
   */
  byte @Nullable [] get(int family, byte[] key) {
    if (size == 0) {
      return null;
    }
    int slot = find(family, key, hash(family, key));
    if (slot < 0) {
      return null;
    }
    referenced[slot] = true;
    return values[slot];
  }

  /** Caches what a read of {@code key} found in RocksDB: its value, or null for none. */
  void remember(int family, byte[] key, byte @Nullable [] value) {
    byte[] stored = value == null ? ABSENT : value;
    long cost = cost(key) + cost(stored);
    // A value that would take more than an eighth of the budget would push out many small ones.
    if (cost > maxBytes / 8) {
      return;
    }
    int hash = hash(family, key);
    int slot = find(family, key, hash);
    if (slot >= 0) {
      entryBytes += cost(stored) - cost(values[slot]);
      values[slot] = stored;
      evictUntilWithinBudget();
      return;
    }
    if (!fitsWithoutEviction(cost) && !missedBefore(hash)) {
      return;
    }
    if (makeRoomFor(cost)) {
      insert(family, key, stored, hash);
    }
  }

  /**
   * Admission once the cache is full: a key gets in on its second miss among recent ones, so a
   * read of a key seen once (a scan, or a key space far larger than the cache) does not push out
   * a key that is read again and again. Without it, reading 1,000,000 keys in turn through a
   * cache of 130,000 replaced an entry on every read for no hit: a value read took 10 to 94 µs
   * instead of 8 to 10.
   */
  private boolean missedBefore(int hash) {
    if (recentMisses == null) {
      // Allocated when first needed, so a cache that never fills never pays for it; its bytes
      // were reserved in the budget all along (missesBytes).
      recentMisses = new int[Math.max(keys.length / 2, 1)];
    }
    int fingerprint = hash == 0 ? 1 : hash;
    int index = Integer.rotateLeft(hash, 16) & (recentMisses.length - 1);
    if (recentMisses[index] == fingerprint) {
      recentMisses[index] = 0;
      return true;
    }
    recentMisses[index] = fingerprint;
    return false;
  }

  private boolean fitsWithoutEviction(long cost) {
    return size + 1 > keys.length / 2
        ? fitsGrown(cost)
        : entryBytes + cost + usedBytesOfTables() <= maxBytes;
  }

  /** Whether the table may double, and an entry costing {@code cost} would then fit. */
  private boolean fitsGrown(long cost) {
    long grown = tableBytes(keys.length * 2);
    return grown <= maxBytes / 2
        && entryBytes + cost + grown + missesBytes(keys.length * 2) <= maxBytes;
  }

  /**
   * Records a write of {@code key} ({@code value} {@link #ABSENT} for a delete) if the key is
   * cached; the array must not change afterwards.
   */
  void written(int family, byte[] key, byte[] value) {
    if (size == 0) {
      return;
    }
    int slot = find(family, key, hash(family, key));
    if (slot < 0) {
      return;
    }
    if (cost(key) + cost(value) > maxBytes / 8) {
      remove(slot);
      return;
    }
    entryBytes += cost(value) - cost(values[slot]);
    values[slot] = value;
    evictUntilWithinBudget();
  }

  int size() {
    return size;
  }

  /** The longest run of occupied slots: what a lookup that misses may have to probe. */
  int longestRun() {
    int longest = 0;
    int run = 0;
    // Twice round, so a run that wraps past the end is counted whole.
    for (int i = 0; i < 2 * keys.length; i++) {
      run = keys[i & mask] == null ? 0 : run + 1;
      longest = Math.max(longest, Math.min(run, keys.length));
    }
    return longest;
  }

  /** Heap this cache accounts for now; at most the budget given to the constructor. */
  long usedBytes() {
    return entryBytes + usedBytesOfTables();
  }

  private long usedBytesOfTables() {
    return tableBytes(keys.length) + missesBytes(keys.length);
  }

  /**
   * The table of recent misses, or while there is none the one that would be allocated with a
   * table of {@code slots}.
   */
  private long missesBytes(int slots) {
    return ARRAY_HEADER + 4L * (recentMisses == null ? slots / 2 : recentMisses.length);
  }

  private int find(int family, byte[] key, int hash) {
    int slot = hash & mask;
    byte[] candidate;
    while ((candidate = keys[slot]) != null) {
      if (hashes[slot] == hash && families[slot] == family && Arrays.equals(candidate, key)) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  /**
   * Evicts, or grows the table, until an entry costing {@code cost} fits in the budget; false if it
   * cannot (a budget smaller than the table's first size).
   */
  private boolean makeRoomFor(long cost) {
    while (size > 0 && entryBytes + cost + usedBytesOfTables() > maxBytes) {
      evictOne();
    }
    // Keep the table at most half full; grow it while the budget allows, else evict instead.
    while (size + 1 > keys.length / 2) {
      if (fitsGrown(cost)) {
        rehash(keys.length * 2);
      } else if (size > 0) {
        evictOne();
      } else {
        break;
      }
    }
    return size + 1 <= keys.length / 2 && entryBytes + cost + usedBytesOfTables() <= maxBytes;
  }

  private void evictUntilWithinBudget() {
    while (size > 0 && usedBytes() > maxBytes) {
      evictOne();
    }
  }

  private void insert(int family, byte[] key, byte[] value, int hash) {
    put(freeSlot(hash), key, value, hash, (byte) family, false);
    size++;
    entryBytes += cost(key) + cost(value);
  }

  /** The first empty slot from {@code hash}'s home on: where an entry with that hash goes. */
  private int freeSlot(int hash) {
    int slot = hash & mask;
    while (keys[slot] != null) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private void put(int slot, byte[] key, byte[] value, int hash, byte family, boolean used) {
    keys[slot] = key;
    values[slot] = value;
    hashes[slot] = hash;
    families[slot] = family;
    referenced[slot] = used;
  }

  /**
   * CLOCK by sampling: looks at random slots, clearing the reference bit of used entries, until it
   * meets an entry not used since its bit was last cleared. Every entry is equally likely to be
   * looked at, wherever it sits. Evicting where a hand sweeping the table had got to, or the
   * first entry after a random slot, favours the first entry of each run of occupied slots, while
   * inserts lengthen runs in proportion to their length: runs grew to thousands of slots and a
   * lookup that missed probed them all (reads 100x slower once a cache of timer ids was full).
   */
  private void evictOne() {
    while (true) {
      random ^= random << 13;
      random ^= random >>> 17;
      random ^= random << 5;
      int slot = random & mask;
      if (keys[slot] != null) {
        if (!referenced[slot]) {
          remove(slot);
          return;
        }
        referenced[slot] = false;
      }
    }
  }

  private void remove(int slot) {
    entryBytes -= cost(keys[slot]) + cost(values[slot]);
    size--;
    int hole = slot;
    int next = slot;
    while (true) {
      next = (next + 1) & mask;
      if (keys[next] == null) {
        break;
      }
      int home = hashes[next] & mask;
      // The entry at next may fill the hole unless its home lies cyclically in (hole, next].
      boolean homeAfterHole =
          hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
      if (!homeAfterHole) {
        put(hole, keys[next], values[next], hashes[next], families[next], referenced[next]);
        hole = next;
      }
    }
    keys[hole] = null;
    values[hole] = null;
    referenced[hole] = false;
  }

  private void rehash(int slots) {
    byte[][] oldKeys = keys;
    byte[][] oldValues = values;
    int[] oldHashes = hashes;
    byte[] oldFamilies = families;
    boolean[] oldReferenced = referenced;
    allocate(slots);
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != null) {
        put(
            freeSlot(oldHashes[i]),
            oldKeys[i],
            oldValues[i],
            oldHashes[i],
            oldFamilies[i],
            oldReferenced[i]);
      }
    }
  }

  private static long tableBytes(int slots) {
    return (long) slots * SLOT_BYTES + 5L * ARRAY_HEADER;
  }

  private static long cost(byte[] array) {
    // ABSENT is one shared array; a cached absence costs its slot only.
    return array == ABSENT ? 0 : ARRAY_HEADER + ((array.length + 7) & ~7);
  }

  private static int hash(int family, byte[] key) {
    // Keys of one cell differ only in their last bytes; mix so every bit reaches the low ones.
    int h = Arrays.hashCode(key) * 31 + family;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    return h;
  }
}
