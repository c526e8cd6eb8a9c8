package dev.weir.state.rocksdb;

/**
 * The native memory of a worker's RocksDB backends, for monitoring: the shared block cache's
 * usage (which the write buffer manager charges memtables to as well), and summed over the open
 * databases their properties {@code rocksdb.cur-size-all-mem-tables} and {@code
 * rocksdb.estimate-table-readers-mem}.
 *
 * @param instances databases open now
 */
public record RocksDbMemory(
    int instances, long blockCacheBytes, long memtableBytes, long tableReadersBytes) {}
