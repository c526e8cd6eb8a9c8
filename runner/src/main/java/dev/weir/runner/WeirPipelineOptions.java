package dev.weir.runner;

import dev.weir.checkpoint.CheckpointingOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.FileStagingOptions;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Options of the Weir runner. Every option can be given on the command line, for instance {@code
 * --runner=WeirRunner --parallelism=4 --embeddedWorkers=2}.
 *
 * <p>Beam merges the options interfaces of every runner and library on the classpath into one set
 * of properties, and rejects a property whose declarations disagree in type or in {@code @Default}
 * (or {@code @JsonIgnore}, ...). So a property Weir shares with the Flink runner, because it means
 * the same there ({@code parallelism}, {@code maxParallelism}, {@code stateBackend}), is declared
 * exactly as Flink declares it, and Weir reads Flink's "unset" values (-1, absent) as its own
 * defaults ({@link CheckedOptions}); a job ported from Flink keeps those flags. A Weir-only option
 * gets a name no other interface is likely to use: {@code embeddedWorkers} rather than Dataflow's
 * and Nexmark's {@code numWorkers}, {@code weirMaster} as Flink has {@code flinkMaster}. {@code
 * master} is the short alias the README uses: no options interface of Beam's runners declares it
 * (Flink's is {@code flinkMaster}, Spark's {@code sparkMaster}), and either may be given (two
 * different values are refused). {@code filesToStage} is Beam's own declaration ({@link
 * FileStagingOptions}, which the Flink and portable runners' options extend too), not a second
 * one.
 */
public interface WeirPipelineOptions
    extends PipelineOptions, CheckpointingOptions, FileStagingOptions {

  // Declared as FlinkPipelineOptions declares it.
  @Description(
      "Number of subtasks of each stage. -1 (the default) means one per worker slot: for the"
          + " embedded cluster one per core of this machine (split over the --embeddedWorkers, at"
          + " least one each), with --weirMaster the slots of the workers registered with the"
          + " coordinator when the job is submitted.")
  @Default.Integer(-1)
  Integer getParallelism();

  void setParallelism(Integer parallelism);

  @Description(
      "Number of workers of the embedded cluster (ignored with --weirMaster). One (the default)"
          + " hands data between its subtasks in memory; more exchange it over gRPC on loopback,"
          + " as separate worker processes do.")
  @Default.Integer(1)
  int getEmbeddedWorkers();

  void setEmbeddedWorkers(int embeddedWorkers);

  @Description(
      "host:port of a running Weir coordinator (dev.weir.runner.cluster.WeirClusterCoordinator)"
          + " to submit the job to; the same as --master. The job's jars (--filesToStage, or by"
          + " default the classpath entries that hold the pipeline's own classes) are staged to"
          + " the coordinator, and the workers load the job's classes from them. Absent (the"
          + " default): start an embedded cluster inside this JVM for the job.")
  String getWeirMaster();

  void setWeirMaster(String weirMaster);

  /**
   * The short name of {@link #getWeirMaster}: either may be given, and both only with the same
   * value. Read the cluster address through {@link WeirOptionsValidator}, which reconciles them.
   */
  @Description(
      "host:port of a running Weir coordinator to submit the job to: an alias of --weirMaster"
          + " (give either; both only with the same value).")
  String getMaster();

  void setMaster(String master);

  @Description(
      "Directory of the Weir cluster's credentials (CA certificate, node certificate and key,"
          + " cluster secret; created by weir-security init DIR) that this client presents to the"
          + " coordinator at --weirMaster. Required with --weirMaster unless --insecure. The"
          + " embedded cluster makes its own credentials in memory and ignores it.")
  String getSecurityDir();

  void setSecurityDir(String securityDir);

  @Description(
      "Turn off TLS and authentication on every gRPC channel: the embedded cluster's, or the"
          + " connection to a --weirMaster coordinator that itself runs with --insecure. For"
          + " debugging only; logs a warning.")
  @Default.Boolean(false)
  boolean isInsecure();

  void setInsecure(boolean insecure);

  @Description(
      "Directory for local state (RocksDB); Weir creates a job directory under it and removes it"
          + " at the end. Default: the system temp directory.")
  String getStateDirectory();

  void setStateDirectory(String stateDirectory);

  // Declared as FlinkPipelineOptions declares it.
  @Description(
      "Number of key groups: the unit of keyed state partitioning and the upper bound of"
          + " --parallelism. Between 1 and 32768; -1 (the default) means 128, or for a"
          + " --parallelism above 128 the power of two at or above 1.5 times it (at most 32768).")
  @Default.Integer(-1)
  Integer getMaxParallelism();

  void setMaxParallelism(Integer maxParallelism);

  // Declared as FlinkPipelineOptions declares it: no @Default, absent means 'rocksdb'.
  @Description(
      "Where keyed state and timers live: 'rocksdb' (the default: local RocksDB partitioned by key"
          + " group, in --stateDirectory, so state can be larger than memory) or 'memory' (on the"
          + " heap; for tests and small state; 'filesystem', the Flink runner's name for its heap"
          + " backend, means the same). Case does not matter.")
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
      "Every this many seconds the coordinator logs how far a running job has come: the elements"
          + " each source has read. 0 turns the log off.")
  @Default.Long(30)
  long getProgressLogSeconds();

  void setProgressLogSeconds(long seconds);

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

  @Description(
      "Port of the embedded cluster's web UI, REST API (/api/v1) and Prometheus metrics"
          + " (/metrics), served while the job runs; 0 picks a free port (the URL is logged)."
          + " Absent (the default): no web server. A --weirMaster coordinator has its own"
          + " (its --webPort).")
  Integer getWebPort();

  void setWebPort(Integer port);

  @Description(
      "Address the embedded web server listens on. Loopback (127.0.0.1, the default) unless"
          + " --webInsecure: the embedded cluster has no secret a browser could present.")
  @Default.String("127.0.0.1")
  String getWebBind();

  void setWebBind(String address);

  @Description(
      "Serve the web UI on a non-loopback --webBind without authentication (logged as a"
          + " warning): anyone who reaches it reads the job's plan, options and metrics.")
  @Default.Boolean(false)
  boolean isWebInsecure();

  void setWebInsecure(boolean insecure);

  @Description(
      "Also export per-subtask series in the embedded web server's /metrics (records in and out,"
          + " busy, idle and backpressured ratios, label 'subtask'). Off by default: those series"
          + " grow with the parallelism.")
  @Default.Boolean(false)
  boolean isMetricsPerSubtask();

  void setMetricsPerSubtask(boolean perSubtask);
}
