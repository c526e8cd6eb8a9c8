/**
 * A heap-based {@link dev.weir.state.KeyedStateBackend} for unit tests and small jobs. State cells
 * come from runners-core's in-memory implementations; what Weir adds is the timer index (by
 * identity and by time) and the watermark-hold index, so the worker sees the same contract as on
 * RocksDB.
 *
 * <p>Snapshots are one file per backend ({@link dev.weir.state.memory.HeapSnapshotFormat}), in
 * sections per key group so that a restore into another key-group range skips what it does not
 * own. Cells are written with the coders of their specs, recorded when a cell is bound ({@link
 * dev.weir.state.memory.BoundCell}); restored cells stay bytes until bound again.
 */
package dev.weir.state.memory;
