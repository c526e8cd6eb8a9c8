package dev.weir.state.rocksdb;

import org.rocksdb.ColumnFamilyHandle;

/** What every state cell of a backend shares: the store, the state column family, the indexes. */
final class RocksDbCellContext {
  final RocksDbStore store;
  final ColumnFamilyHandle stateCf;
  final RocksDbHoldIndex holds;
  final SequenceNumbers sequence;

  RocksDbCellContext(
      RocksDbStore store, ColumnFamilyHandle stateCf, RocksDbHoldIndex holds, SequenceNumbers sequence) {
    this.store = store;
    this.stateCf = stateCf;
    this.holds = holds;
    this.sequence = sequence;
  }
}
