package dev.weir.state.rocksdb;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.IndexType;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * Native memory shared by every backend of a worker: one block cache and one write-buffer budget
 * (charged to the same cache), so memory stays bounded however many operators and keys a worker
 * has. Close it after the backends that use it.
 */
public final class RocksDbResources implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private static final double HIGH_PRIORITY_RATIO = 0.1;
  private static final long METADATA_PARTITION_BYTES = 4096;
  private static final long WAL_BYTES = 1L << 20;
  private static final List<CompressionType> COMPRESSION_PER_LEVEL =
      List.of(
          CompressionType.NO_COMPRESSION,
          CompressionType.NO_COMPRESSION,
          CompressionType.LZ4_COMPRESSION,
          CompressionType.LZ4_COMPRESSION,
          CompressionType.LZ4_COMPRESSION,
          CompressionType.LZ4_COMPRESSION,
          CompressionType.LZ4_COMPRESSION);

  /**
   * Heap for the point-read caches of one backend ({@link PointReadCache}) unless set: as much as
   * its two write batches, enough for the values of about 130,000 keys.
   */
  public static final long DEFAULT_READ_CACHE_BYTES = 16L << 20;

  private final LRUCache blockCache;
  private final WriteBufferManager writeBuffers;
  private final BloomFilter bloomFilter;
  private final ExecutorService writers;
  private final long readCacheBytes;

  private RocksDbResources(long blockCacheBytes, long writeBufferBytes, long readCacheBytes) {
    this.readCacheBytes = readCacheBytes;
    // Index and filter blocks go to a high-priority tenth of the cache, so a scan over data blocks
    // or the memtable reservations of the write-buffer budget cannot push them out.
    this.blockCache = new LRUCache(blockCacheBytes, -1, false, HIGH_PRIORITY_RATIO);
    this.writeBuffers = new WriteBufferManager(writeBufferBytes, blockCache);
    // Point reads of value and map cells are the common case; a bloom filter spares disk reads.
    this.bloomFilter = new BloomFilter(10, false);
    // Each backend has at most one batch in flight, so a thread per busy backend is enough; idle
    // threads go away, so a worker that stops writing holds none.
    AtomicInteger threads = new AtomicInteger();
    this.writers =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            10,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "weir-rocksdb-writer-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * @param blockCacheBytes the worker's block cache, shared by all its backends
   * @param writeBufferBytes the worker's memtable budget, accounted within the block cache
   */
  public static RocksDbResources create(long blockCacheBytes, long writeBufferBytes) {
    return create(blockCacheBytes, writeBufferBytes, DEFAULT_READ_CACHE_BYTES);
  }

  /**
   * @param blockCacheBytes the worker's block cache, shared by all its backends
   * @param writeBufferBytes the worker's memtable budget, accounted within the block cache
   * @param readCacheBytes heap for each backend's cache of point reads; 0 turns it off
   */
  public static RocksDbResources create(
      long blockCacheBytes, long writeBufferBytes, long readCacheBytes) {
    if (writeBufferBytes > blockCacheBytes) {
      throw new IllegalArgumentException(
          "Write buffer budget " + writeBufferBytes + " exceeds block cache " + blockCacheBytes);
    }
    if (readCacheBytes < 0) {
      throw new IllegalArgumentException("Read cache size " + readCacheBytes + " is negative");
    }
    return new RocksDbResources(blockCacheBytes, writeBufferBytes, readCacheBytes);
  }

  /**
   * Sizes for tests: small enough to run many backends side by side. The read cache is small
   * too, so tests that touch many keys also evict from it.
   */
  public static RocksDbResources forTests() {
    return create(16L << 20, 8L << 20, 64L << 10);
  }

  /** Heap for the point-read caches of each backend. */
  long readCacheBytes() {
    return readCacheBytes;
  }

  /** New options for one database; the caller closes them. */
  DBOptions newDbOptions() {
    // Each database has one writing thread at a time (the task's or its batch writer).
    return new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setAllowConcurrentMemtableWrite(false)
        .setWriteBufferManager(writeBuffers)
        // State is written without the write-ahead log, which holds only the format marker; RocksDB
        // preallocates each log file to the write-buffer budget (64 MiB of disk per backend)
        // unless this caps it, and with no logged writes the cap never forces a flush.
        .setMaxTotalWalSize(WAL_BYTES)
        .setMaxBackgroundJobs(2);
  }

  /** New options for one column family; the caller closes them. */
  ColumnFamilyOptions newColumnFamilyOptions() {
    // Index and filter are partitioned into 4 KiB blocks with a small pinned top level. With one
    // index and one filter block per file (hundreds of KiB for a 20 MiB file), a point read that
    // missed them in the cache re-read the whole block: at 10M keys random reads took ~2 ms each
    // instead of a few µs. Partitions are cached, and evicted, like data blocks.
    BlockBasedTableConfig table =
        new BlockBasedTableConfig()
            .setBlockCache(blockCache)
            .setFilterPolicy(bloomFilter)
            .setCacheIndexAndFilterBlocks(true)
            .setCacheIndexAndFilterBlocksWithHighPriority(true)
            .setIndexType(IndexType.kTwoLevelIndexSearch)
            .setPartitionFilters(true)
            .setMetadataBlockSize(METADATA_PARTITION_BYTES)
            .setPinTopLevelIndexAndFilter(true);
    // Level 0 and 1 are rewritten soonest (every flush writes level 0, compactions rewrite both),
    // so compressing them costs CPU on every state write for little disk; deeper levels, where
    // most of a large state lives and stays, get LZ4, cheaper to decompress than the default.
    return new ColumnFamilyOptions()
        .setTableFormatConfig(table)
        .setCompressionPerLevel(COMPRESSION_PER_LEVEL);
  }

  /** Applies the backends' full write batches while their tasks go on. */
  ExecutorService writer() {
    return writers;
  }

  /** Bytes in the shared block cache now; -1 once closed. Any thread. */
  synchronized long blockCacheUsage() {
    return closed ? -1 : blockCache.getUsage();
  }

  private boolean closed;

  @Override
  public synchronized void close() {
    closed = true;
    // Backends wait for their own batches when they close; nothing is left to run here.
    writers.shutdown();
    bloomFilter.close();
    writeBuffers.close();
    blockCache.close();
  }
}
