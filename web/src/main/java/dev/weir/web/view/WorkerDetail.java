package dev.weir.web.view;

/**
 * One registered worker with its resources as of its latest heartbeat (a worker in the
 * coordinator's JVM: read at the call). A value not known is -1.
 *
 * @param summary what the list of workers shows
 * @param runningSubtasks subtasks of any job placed on it now
 * @param heapUsedBytes its JVM's heap in use
 * @param heapMaxBytes its JVM's largest heap
 * @param stateDirFreeBytes free bytes of the file system of its state directory
 * @param rocksDb its open RocksDB instances' memory; null where not reported
 */
public record WorkerDetail(
    WorkerSummary summary,
    int runningSubtasks,
    long heapUsedBytes,
    long heapMaxBytes,
    long stateDirFreeBytes,
    RocksDbMemory rocksDb) {

  /**
   * Memory of the RocksDB instances a worker has open, summed from their properties {@code
   * rocksdb.block-cache-usage}, {@code rocksdb.cur-size-all-mem-tables} and {@code
   * rocksdb.estimate-table-readers-mem}.
   */
  public record RocksDbMemory(
      int instances, long blockCacheBytes, long memtableBytes, long tableReadersBytes) {}
}
