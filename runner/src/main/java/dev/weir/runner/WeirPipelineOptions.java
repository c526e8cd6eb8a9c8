package dev.weir.runner;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Options of the Weir runner. Every option can be given on the command line, for instance {@code
 * --runner=WeirRunner --parallelism=4 --numWorkers=2}.
 */
public interface WeirPipelineOptions extends PipelineOptions {

  @Description(
      "Number of subtasks of each stage. -1 (the default) means one per worker slot, that is"
          + " --numWorkers.")
  @Default.Integer(-1)
  Integer getParallelism();

  void setParallelism(Integer parallelism);

  @Description("Number of workers of the embedded cluster (ignored with --master).")
  @Default.Integer(2)
  int getNumWorkers();

  void setNumWorkers(int numWorkers);

  @Description(
      "host:port of a running Weir coordinator (dev.weir.runner.cluster.WeirClusterCoordinator)"
          + " to submit the job to; the pipeline's classes must be on the classpath of the"
          + " coordinator and its workers (no artifact staging yet). Absent (the default): start an"
          + " embedded cluster inside this JVM for the job.")
  String getMaster();

  void setMaster(String master);

  @Description(
      "Directory for local state (RocksDB); Weir creates a job directory under it and removes it"
          + " at the end. Default: the system temp directory.")
  String getStateDirectory();

  void setStateDirectory(String stateDirectory);

  @Description(
      "Number of key groups: the unit of keyed state partitioning and the upper bound of"
          + " --parallelism. Between 1 and 32768.")
  @Default.Integer(128)
  int getMaxParallelism();

  void setMaxParallelism(int maxParallelism);

  @Description(
      "Where keyed state and timers live: 'rocksdb' (the default: local RocksDB partitioned by key"
          + " group, in --stateDirectory, so state can be larger than memory) or 'memory' (on the"
          + " heap; for tests and small state).")
  @Default.String("rocksdb")
  String getStateBackend();

  void setStateBackend(String stateBackend);

  @Description(
      "Fail a job when for this many seconds no subtask has handled or sent anything and no"
          + " timer is pending that would wake one: the job can make no more progress. 0 turns the"
          + " check off.")
  @Default.Long(1800)
  long getNoProgressTimeoutSeconds();

  void setNoProgressTimeoutSeconds(long seconds);

  @Description(
      "RocksDB block cache per worker, in MiB, shared by all its operators (with"
          + " --stateBackend=rocksdb). Memtables are charged to it too, so keep it well above"
          + " --rocksDbWriteBufferMb.")
  @Default.Integer(256)
  int getRocksDbBlockCacheMb();

  void setRocksDbBlockCacheMb(int megabytes);

  @Description(
      "RocksDB write-buffer (memtable) budget per worker, in MiB, shared by all its operators"
          + " (with --stateBackend=rocksdb).")
  @Default.Integer(64)
  int getRocksDbWriteBufferMb();

  void setRocksDbWriteBufferMb(int megabytes);

  @Description(
      "Heap cache of state point reads (value, combining and watermark-hold cells, map and set"
          + " entries, timers by id) per stateful operator subtask, in MiB (with"
          + " --stateBackend=rocksdb). A key"
          + " read again is answered from the heap instead of RocksDB; writes keep cached keys"
          + " current. 0 turns it off.")
  @Default.Integer(16)
  int getRocksDbReadCacheMb();

  void setRocksDbReadCacheMb(int megabytes);
}
