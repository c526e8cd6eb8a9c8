/**
 * Flink's own RocksDB keyed state backend, timed with the operations and shapes of Weir's state
 * benchmark so the two can be compared side by side on one machine. Depends on no Weir module:
 * Flink's frocksdbjni and Weir's rocksdbjni both ship {@code org.rocksdb} classes.
 */
package dev.weir.benchmarks.flink;
