/**
 * A heap-based {@link dev.weir.state.KeyedStateBackend} for unit tests and small jobs. State cells
 * come from runners-core's in-memory implementations; what Weir adds is the timer index (by
 * identity and by time) and the watermark-hold index, so the worker sees the same contract as on
 * RocksDB.
 */
package dev.weir.state.memory;
