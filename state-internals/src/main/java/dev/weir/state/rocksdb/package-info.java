/**
 * Keyed state and timers in local RocksDB. Every stored key starts with its two-byte key group,
 * then the canonical key bytes, so a key-group range can be iterated, snapshotted, deleted or
 * handed to another worker. Values are Beam coder bytes. Column families: {@code state}
 * (collections: bags, sets, maps, multimaps, ordered lists), {@code values} (value, combining and
 * hold cells), {@code timers-by-id} and {@code timers-by-time} (the two timer indexes) and
 * {@code holds} (watermark holds ordered by time within each key group). Writes are batched on the
 * heap and applied in key order, a full batch by a writer thread while the task fills the next;
 * the elements a bag gets while a batch fills are stored as one entry. Point reads of the
 * {@code values}, {@code state} and {@code timers-by-id} families are cached on the heap ({@link
 * dev.weir.state.rocksdb.PointReadCache}), which every write through the store keeps current.
 */
package dev.weir.state.rocksdb;
