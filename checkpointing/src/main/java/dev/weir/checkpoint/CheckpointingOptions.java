package dev.weir.checkpoint;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The options of checkpoints and recovery. Those the Flink runner also has are declared exactly as
 * it declares them (Beam rejects two declarations of one property that disagree in type or
 * {@code @Default}), so a job ported from Flink keeps its flags; Flink's "unset" value -1 means
 * Weir's default. Workers read them too, which is why they live here and not in the runner.
 */
public interface CheckpointingOptions extends PipelineOptions {

  // Declared as FlinkPipelineOptions declares it.
  @Description(
      "The interval in milliseconds at which to trigger checkpoints of the running pipeline."
          + " -1 (the default): no checkpoints.")
  @Default.Long(-1L)
  Long getCheckpointingInterval();

  void setCheckpointingInterval(Long interval);

  // Declared as FlinkPipelineOptions declares it.
  @Description("The checkpointing mode; EXACTLY_ONCE is the only one Weir has.")
  @Default.String("EXACTLY_ONCE")
  String getCheckpointingMode();

  void setCheckpointingMode(String mode);

  // Declared as FlinkPipelineOptions declares it.
  @Description(
      "The maximum time in milliseconds a checkpoint may take before it is aborted."
          + " -1 (the default): 10 minutes.")
  @Default.Long(-1L)
  Long getCheckpointTimeoutMillis();

  void setCheckpointTimeoutMillis(Long checkpointTimeoutMillis);

  // Declared as FlinkPipelineOptions declares it.
  @Description(
      "The minimal pause in milliseconds between the end of one checkpoint and the start of the"
          + " next. -1 (the default): none.")
  @Default.Long(-1L)
  Long getMinPauseBetweenCheckpoints();

  void setMinPauseBetweenCheckpoints(Long minPauseInterval);

  // Declared as FlinkPipelineOptions declares it.
  @Description("The maximum number of checkpoints in flight at once; Weir takes 1.")
  @Default.Integer(1)
  int getNumConcurrentCheckpoints();

  void setNumConcurrentCheckpoints(int maxConcurrentCheckpoints);

  // Declared as FlinkPipelineOptions declares it.
  @Description(
      "How many times a failed job is restarted from its last checkpoint. 0: never. -1 (the"
          + " default): 3 times when checkpoints are on, never when they are off.")
  @Default.Integer(-1)
  Integer getNumberOfExecutionRetries();

  void setNumberOfExecutionRetries(Integer retries);

  // Declared as FlinkPipelineOptions declares it.
  @Description(
      "The delay in milliseconds before a restart. -1 (the default): 1000 ms.")
  @Default.Long(-1L)
  Long getExecutionRetryDelay();

  void setExecutionRetryDelay(Long delay);

  @Description(
      "Where checkpoints go: a Hadoop FileSystem URI (file:///..., hdfs://host:port/...,"
          + " s3a://bucket/...). Required when --checkpointingInterval is set.")
  String getCheckpointDir();

  void setCheckpointDir(String checkpointDir);

  @Description("How many completed checkpoints to keep; older ones and their files are removed.")
  @Default.Integer(3)
  int getRetainedCheckpoints();

  void setRetainedCheckpoints(int retainedCheckpoints);

  @Description(
      "Start the job from this retained checkpoint or savepoint: the URI of its directory"
          + " (.../<job>/chk-<n> or .../<job>/savepoint-<n>).")
  String getRestoreFrom();

  void setRestoreFrom(String restoreFrom);
}
