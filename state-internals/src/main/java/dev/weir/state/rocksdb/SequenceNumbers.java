package dev.weir.state.rocksdb;

import org.rocksdb.ColumnFamilyHandle;

/**
 * Unique increasing numbers for entries that need one (bag elements, ordered-list elements with
 * equal timestamps, multimap values). Reserved in blocks: only the end of the current block is
 * persisted, so after a restart or restore numbering continues above anything already used.
 */
final class SequenceNumbers {
  static final byte[] KEY = "weir.sequence-block-end".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final long BLOCK = 1 << 20;

  private final RocksDbStore store;
  private final ColumnFamilyHandle meta;
  private long next;
  private long blockEnd;

  SequenceNumbers(RocksDbStore store, ColumnFamilyHandle meta) {
    this.store = store;
    this.meta = meta;
    byte[] stored = store.get(meta, KEY);
    this.next = stored == null ? 0 : KeyBytesWriter.readOrderedLong(stored, 0);
    this.blockEnd = next;
  }

  long next() {
    if (next == blockEnd) {
      blockEnd = next + BLOCK;
      store.put(meta, KEY, new KeyBytesWriter(8).orderedLong(blockEnd).toBytes());
    }
    return next++;
  }

  /** After restoring from several snapshots, continue above the largest of their blocks. */
  void atLeast(long value) {
    if (value > next) {
      next = value;
      blockEnd = value;
    }
  }
}
