package dev.weir.state.rocksdb;

import org.rocksdb.ColumnFamilyHandle;

/**
 * What every state cell of a backend shares: the store, the column families, the indexes. Single
 * values (value, combining and hold cells) have a column family of their own, so their point
 * reads search a small memtable and few files instead of wading through bag and list elements.
 */
final class RocksDbCellContext {
  final RocksDbStore store;
  final ColumnFamilyHandle stateCf;
  final ColumnFamilyHandle valuesCf;
  final RocksDbHoldIndex holds;
  final SequenceNumbers sequence;
  final CellNames names = new CellNames();

  RocksDbCellContext(
      RocksDbStore store,
      ColumnFamilyHandle stateCf,
      ColumnFamilyHandle valuesCf,
      RocksDbHoldIndex holds,
      SequenceNumbers sequence) {
    this.store = store;
    this.stateCf = stateCf;
    this.valuesCf = valuesCf;
    this.holds = holds;
    this.sequence = sequence;
  }
}
