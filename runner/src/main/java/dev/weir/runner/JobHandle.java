package dev.weir.runner;

import dev.weir.worker.operators.SourceWork;
import dev.weir.worker.task.TaskId;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.PipelineResult;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A running job as {@link WeirPipelineResult} sees it: coordinated in this JVM ({@link
 * JobCoordinator}) or by a remote coordinator ({@link ClusterJob}).
 */
interface JobHandle {

  PipelineResult.State state();

  /** The error that failed the job, or null. */
  @Nullable
  Throwable failure();

  MetricsContainerStepMap attemptedMetrics();

  MetricsContainerStepMap committedMetrics();

  /**
   * Of the current attempt, by step name, how much of each bounded source's work is done (see
   * {@link JobProgress}).
   */
  Map<String, SourceWork> sourceWork();

  /** Asks for the job to be cancelled; returns without waiting. */
  void cancel();

  /** Waits for the job to end; false if {@code millis} passed first (negative: forever). */
  boolean await(long millis) throws InterruptedException;

  Map<TaskId, String> placement();

  long elementsBetweenWorkers();

  /** Every checkpoint that ended so far, oldest first; empty without checkpoints. */
  List<CheckpointStats> checkpoints();

  /** Every restart so far, oldest first. */
  List<JobRestart> restarts();

  /**
   * Takes a savepoint of the latest completed checkpoint under {@code uri} (null: the job's
   * {@code --checkpointDir}); returns its directory.
   */
  String savepoint(@Nullable String uri);
}
