package dev.weir.runner;

import java.io.IOException;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * The result of a job on Weir. {@link #waitUntilFinish()} throws {@link
 * Pipeline.PipelineExecutionException} with the user's exception as its cause if the job failed.
 * Metrics are as {@link JobCoordinator#attemptedMetrics} and {@link
 * JobCoordinator#committedMetrics} describe: with checkpoints, committed values are those as of
 * the latest completed checkpoint; without, those of the subtasks that finished successfully.
 */
public final class WeirPipelineResult implements PipelineResult {
  private final JobHandle coordinator;
  private final @Nullable String webUrl;

  WeirPipelineResult(JobHandle coordinator) {
    this(coordinator, null);
  }

  WeirPipelineResult(JobHandle coordinator, @Nullable String webUrl) {
    this.coordinator = coordinator;
    this.webUrl = webUrl;
  }

  /**
   * The URL of the embedded cluster's web UI and REST API ({@code --webPort}), served while the
   * job runs; empty without {@code --webPort} and for {@code --weirMaster} jobs (the coordinator
   * has its own, its {@code --webPort}).
   */
  public java.util.Optional<String> webUrl() {
    return java.util.Optional.ofNullable(webUrl);
  }

  /** The job as this JVM follows it, for tests. */
  JobHandle handle() {
    return coordinator;
  }

  @Override
  public State getState() {
    return coordinator.state();
  }

  @Override
  public State cancel() throws IOException {
    coordinator.cancel();
    try {
      coordinator.await(JobCoordinator.cancelWaitMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return getState();
  }

  @Override
  public @Nullable State waitUntilFinish(Duration duration) {
    return waitFor(duration == null ? -1 : Math.max(1, duration.getMillis()));
  }

  @Override
  public State waitUntilFinish() {
    return waitFor(-1);
  }

  private @Nullable State waitFor(long millis) {
    try {
      if (!coordinator.await(millis)) {
        return null;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the job", e);
    }
    Throwable failure = coordinator.failure();
    if (failure != null) {
      throw new Pipeline.PipelineExecutionException(failure);
    }
    return getState();
  }

  /** The error that failed the job, or null. */
  public @Nullable Throwable failureCause() {
    return coordinator.failure();
  }

  /**
   * Which worker ran each subtask, as {@code stage/subtask -> worker name}, of the current attempt
   * and the one before it (a restarting job forgets older ones). Embedded cluster only:
   * a job on a remote cluster ({@code --weirMaster}) throws {@link UnsupportedOperationException}.
   */
  public java.util.Map<dev.weir.worker.task.TaskId, String> placement() {
    return coordinator.placement();
  }

  /**
   * Number of elements sent over the network from a subtask on one worker to one on another.
   * Embedded cluster only, like {@link #placement()}.
   */
  public long elementsBetweenWorkers() {
    return coordinator.elementsBetweenWorkers();
  }

  @Override
  public MetricResults metrics() {
    return MetricsContainerStepMap.asMetricResults(
        coordinator.attemptedMetrics(), coordinator.committedMetrics());
  }

  /**
   * How far the job has come: the elements each source has read so far (attempted; see {@link
   * JobProgress}). Works while the job runs, on the embedded cluster and on {@code --weirMaster}
   * clusters alike (worker processes report every few seconds), and after it has ended.
   */
  public JobProgress progress() {
    // The state first: a job done then has its final metrics now.
    boolean done = coordinator.state() == State.DONE;
    return JobProgress.of(coordinator.attemptedMetrics(), coordinator.sourceWork(), done);
  }

  /**
   * The checkpoints of the job that have ended, completed or aborted, oldest first: its id,
   * status, duration and sizes; the newest 1,000 of a long-running job. Empty without {@code
   * --checkpointingInterval}. Embedded cluster only, like {@link #placement()}.
   */
  public java.util.List<CheckpointStats> checkpoints() {
    return coordinator.checkpoints();
  }

  /**
   * Every restart of the job after a failure, oldest first, with its cause and the checkpoint it
   * restored. Embedded cluster only, like {@link #placement()}.
   */
  public java.util.List<JobRestart> restarts() {
    return coordinator.restarts();
  }

  /**
   * Takes a savepoint: a self-contained copy of the latest completed checkpoint that retention
   * never removes and {@code --restoreFrom} accepts. It is written under the job's directory in
   * {@code --checkpointDir}; {@code uri} must be null or that directory (another location is not
   * supported yet).
   *
   * @return the savepoint's directory, to give to {@code --restoreFrom}
   * @throws IllegalStateException if the job takes no checkpoints or none has completed yet
   */
  public String savepoint(@Nullable String uri) {
    return coordinator.savepoint(uri);
  }
}
