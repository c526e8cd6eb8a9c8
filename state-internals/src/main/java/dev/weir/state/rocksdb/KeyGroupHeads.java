package dev.weir.state.rocksdb;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroups;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.rocksdb.ColumnFamilyHandle;

/**
 * The smallest stored keys of each key group within one ordered key space ({@code keyGroup |
 * space | ordered suffix}), kept on the heap so the overall smallest is one lookup; this is how the
 * next timer and the minimum watermark hold are found, also right after a restore.
 *
 * <p>Per key group the heap holds a window of up to {@value #WINDOW} smallest keys, read with one
 * seek, and knows whether that window is all the group has. Removing a key, the common case being
 * a fired timer, then needs no RocksDB read: only a window that empties while RocksDB holds more
 * is read again. A RocksDB seek and iterator cost tens of microseconds once a database has a few
 * files, so seeking per fired timer (as an earlier version did) dominated timer cost.
 */
final class KeyGroupHeads {
  static final int WINDOW = 16;

  private final RocksDbStore store;
  private final ColumnFamilyHandle cf;
  private final KeyGroupRange range;
  private final byte[] space;
  private final Window[] windows;
  private final TreeSet<byte[]> heads;

  /** The smallest keys of one key group, in key order. */
  private static final class Window {
    final TreeSet<byte[]> keys = new TreeSet<>(Arrays::compareUnsigned);
    /** Whether {@link #keys} holds every stored key of the group. */
    boolean complete;
  }

  KeyGroupHeads(RocksDbStore store, ColumnFamilyHandle cf, KeyGroupRange range, byte[] space) {
    this.store = store;
    this.cf = cf;
    this.range = range;
    this.space = space;
    int suffixOffset = 2 + space.length;
    this.windows = new Window[range.size()];
    // Order by the suffix, then by key group so equal suffixes of different groups both stay.
    Comparator<byte[]> bySuffix =
        (a, b) -> Arrays.compareUnsigned(a, suffixOffset, a.length, b, suffixOffset, b.length);
    this.heads = new TreeSet<>(bySuffix.thenComparingInt(k -> KeyGroups.readPrefix(k, 0)));
    for (int kg = range.start(); kg < range.end(); kg++) {
      windows[kg - range.start()] = new Window();
      read(kg);
    }
  }

  /** The smallest key over all key groups, or null. */
  byte @Nullable [] first() {
    return heads.isEmpty() ? null : heads.first();
  }

  /** Call after storing {@code key}. */
  void added(byte[] key) {
    int kg = KeyGroups.readPrefix(key, 0);
    Window window = windows[kg - range.start()];
    if (!window.complete
        && (window.keys.isEmpty() || Arrays.compareUnsigned(key, window.keys.last()) > 0)) {
      return; // Beyond the window: RocksDB has it, and a later read of the window will find it.
    }
    byte[] oldHead = window.keys.isEmpty() ? null : window.keys.first();
    window.keys.add(key);
    if (window.keys.size() > WINDOW) {
      window.keys.pollLast();
      window.complete = false;
    }
    headChanged(oldHead, window);
  }

  /** Call after deleting {@code key}. */
  void removed(byte[] key) {
    int kg = KeyGroups.readPrefix(key, 0);
    Window window = windows[kg - range.start()];
    byte[] oldHead = window.keys.isEmpty() ? null : window.keys.first();
    if (!window.keys.remove(key)) {
      return; // Beyond the window, or never stored.
    }
    if (window.keys.isEmpty() && !window.complete) {
      // Every key before the removed one is gone, so the group's next keys lie after it: reading
      // from there skips the deletion markers of earlier removals.
      heads.remove(oldHead);
      read(kg, KeyBytesWriter.successor(key));
      return;
    }
    headChanged(oldHead, window);
  }

  private void headChanged(byte @Nullable [] oldHead, Window window) {
    byte[] newHead = window.keys.isEmpty() ? null : window.keys.first();
    if (oldHead == newHead) {
      return;
    }
    if (oldHead != null) {
      heads.remove(oldHead);
    }
    if (newHead != null) {
      heads.add(newHead);
    }
  }

  private void read(int kg) {
    read(kg, null);
  }

  /** Fills the (empty) window of {@code kg} from RocksDB, starting at {@code from} if given. */
  private void read(int kg, byte @Nullable [] from) {
    Window window = windows[kg - range.start()];
    byte[] groupStart = new KeyBytesWriter(2 + space.length).keyGroup(kg).bytes(space).toBytes();
    List<byte[]> keys =
        store.firstKeys(
            cf, from == null ? groupStart : from, KeyBytesWriter.prefixEnd(groupStart), WINDOW + 1);
    window.complete = keys.size() <= WINDOW;
    window.keys.addAll(keys.subList(0, Math.min(WINDOW, keys.size())));
    if (!window.keys.isEmpty()) {
      heads.add(window.keys.first());
    }
  }
}
