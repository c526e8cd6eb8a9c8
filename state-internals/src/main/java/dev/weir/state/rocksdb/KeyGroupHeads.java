package dev.weir.state.rocksdb;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroups;
import java.util.Arrays;
import java.util.Comparator;
import java.util.TreeSet;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.rocksdb.ColumnFamilyHandle;

/**
 * The smallest stored key of each key group within one ordered key space ({@code keyGroup |
 * space | ordered suffix}), kept on the heap so the overall smallest is one lookup. Built with one
 * seek per key group (never a scan over keys) and refreshed with one seek when a key group's head
 * is removed; this is how the next timer and the minimum watermark hold are found, also right
 * after a restore.
 */
final class KeyGroupHeads {
  private final RocksDbStore store;
  private final ColumnFamilyHandle cf;
  private final KeyGroupRange range;
  private final byte[] space;
  private final int suffixOffset;
  private final byte[][] headOf;
  private final TreeSet<byte[]> heads;

  KeyGroupHeads(RocksDbStore store, ColumnFamilyHandle cf, KeyGroupRange range, byte[] space) {
    this.store = store;
    this.cf = cf;
    this.range = range;
    this.space = space;
    this.suffixOffset = 2 + space.length;
    this.headOf = new byte[range.size()][];
    // Order by the suffix, then by key group so equal suffixes of different groups both stay.
    Comparator<byte[]> bySuffix =
        (a, b) -> Arrays.compareUnsigned(a, suffixOffset, a.length, b, suffixOffset, b.length);
    this.heads = new TreeSet<>(bySuffix.thenComparingInt(k -> KeyGroups.readPrefix(k, 0)));
    for (int kg = range.start(); kg < range.end(); kg++) {
      refresh(kg);
    }
  }

  /** The smallest key over all key groups, or null. */
  byte @Nullable [] first() {
    return heads.isEmpty() ? null : heads.first();
  }

  void added(byte[] key) {
    int kg = KeyGroups.readPrefix(key, 0);
    byte[] current = headOf[kg - range.start()];
    if (current == null || Arrays.compareUnsigned(key, current) < 0) {
      if (current != null) {
        heads.remove(current);
      }
      headOf[kg - range.start()] = key;
      heads.add(key);
    }
  }

  void removed(byte[] key) {
    int kg = KeyGroups.readPrefix(key, 0);
    byte[] current = headOf[kg - range.start()];
    if (current != null && Arrays.equals(current, key)) {
      // The removed key was the group's smallest, so the next head lies after it: seeking from
      // there skips the deletion markers that earlier removals (fired timers) left before it.
      refresh(kg, KeyBytesWriter.successor(key));
    }
  }

  private void refresh(int kg) {
    refresh(kg, null);
  }

  private void refresh(int kg, byte @Nullable [] seekFrom) {
    byte[] current = headOf[kg - range.start()];
    if (current != null) {
      heads.remove(current);
    }
    byte[] from = new KeyBytesWriter(suffixOffset).keyGroup(kg).bytes(space).toBytes();
    byte[] head =
        store.firstKey(
            cf, seekFrom == null ? from : seekFrom, KeyBytesWriter.prefixEnd(from));
    headOf[kg - range.start()] = head;
    if (head != null) {
      heads.add(head);
    }
  }
}
