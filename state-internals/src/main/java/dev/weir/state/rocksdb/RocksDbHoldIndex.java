package dev.weir.state.rocksdb;

import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;
import org.rocksdb.ColumnFamilyHandle;

/**
 * Watermark holds of state cells and timers, stored as {@code keyGroup | hold time | kind |
 * owner}, so each key group's minimum hold is its first key and the backend's minimum is a heap
 * lookup over key groups.
 */
final class RocksDbHoldIndex {
  static final int KIND_STATE = 'H';
  static final int KIND_TIMER = 'T';
  private static final byte[] NOTHING = new byte[0];

  private final RocksDbStore store;
  private final ColumnFamilyHandle cf;
  private final KeyGroupHeads heads;

  RocksDbHoldIndex(RocksDbStore store, ColumnFamilyHandle cf, KeyGroupHeads heads) {
    this.store = store;
    this.cf = cf;
    this.heads = heads;
  }

  /**
   * The index key of a hold. {@code ownerKey} is the owner's own key (key group first); its key
   * group is reused and the rest identifies the owner.
   */
  static byte[] key(Instant hold, int kind, byte[] ownerKey) {
    return new KeyBytesWriter(ownerKey.length + 9)
        .bytes(new byte[] {ownerKey[0], ownerKey[1]})
        .orderedLong(hold.getMillis())
        .oneByte(kind)
        .bytes(ownerKey, 2)
        .toBytes();
  }

  void add(Instant hold, int kind, byte[] ownerKey) {
    // A hold at the end of time holds nothing back; not storing it saves a write per timer.
    if (!hold.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
      return;
    }
    byte[] key = key(hold, kind, ownerKey);
    store.put(cf, key, NOTHING);
    heads.added(key);
  }

  void remove(Instant hold, int kind, byte[] ownerKey) {
    if (!hold.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
      return;
    }
    byte[] key = key(hold, kind, ownerKey);
    store.delete(cf, key);
    heads.removed(key);
  }

  Instant min() {
    byte[] first = heads.first();
    return first == null
        ? BoundedWindow.TIMESTAMP_MAX_VALUE
        : new Instant(KeyBytesWriter.readOrderedLong(first, 2));
  }
}
