package dev.weir.runner;

import dev.weir.translation.EdgePlan;
import dev.weir.translation.ExecutionPlan;
import dev.weir.worker.exchange.ChannelId;
import dev.weir.worker.exchange.ExchangeException;
import dev.weir.worker.task.JobActivity;
import dev.weir.worker.task.SubtaskInterruptedException;
import dev.weir.worker.task.SubtaskSummary;
import dev.weir.translation.StagePlan;
import dev.weir.worker.task.TaskDeployment;
import dev.weir.worker.task.TaskId;
import dev.weir.worker.task.TaskListener;
import dev.weir.worker.task.WorkerGateway;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.SerializableUtils;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Runs one job on a set of workers: places every subtask (subtask i of each stage on worker i mod
 * n, so forward edges stay on one worker), deploys them, and follows them to the end. The first
 * failure cancels the job everywhere and becomes the job's cause; metrics of every subtask are
 * merged as they end.
 */
public final class JobCoordinator implements TaskListener, JobHandle {
  private static final long CANCEL_WAIT_MILLIS = 30_000;

  private final String jobId;
  private final ExecutionPlan plan;
  private final List<? extends WorkerGateway> workers;
  private final Runnable onTerminated;
  private final MetricsContainerStepMap metrics = new MetricsContainerStepMap();
  private final MetricsContainerStepMap committedMetrics = new MetricsContainerStepMap();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final Map<Integer, List<String>> addresses = new HashMap<>();
  private final Map<TaskId, WorkerGateway> placement = new HashMap<>();

  private int remaining;
  private PipelineResult.State state = PipelineResult.State.STOPPED;
  private @Nullable Throwable failure;
  private boolean cancelling;
  private @Nullable ProgressWatch progressWatch;
  private long elementsBetweenWorkers;

  /**
   * A coordinator for one job on {@code workers}; {@code onTerminated} runs once when the job has
   * ended, before waiters wake.
   */
  public JobCoordinator(
      String jobId,
      ExecutionPlan plan,
      List<? extends WorkerGateway> workers,
      Runnable onTerminated) {
    this.jobId = jobId;
    this.plan = plan;
    this.workers = workers;
    this.onTerminated = onTerminated;
  }

  /** Places and deploys every subtask; returns once all deployments were sent. */
  public void start(PipelineOptions options) {
    SerializablePipelineOptions serializedOptions = new SerializablePipelineOptions(options);
    List<TaskDeployment> deployments = new ArrayList<>();
    for (StagePlan stage : plan.stages()) {
      List<String> stageAddresses = new ArrayList<>();
      for (int i = 0; i < stage.parallelism(); i++) {
        WorkerGateway worker = workers.get(i % workers.size());
        TaskId id = new TaskId(jobId, stage.id(), i);
        placement.put(id, worker);
        stageAddresses.add(worker.exchangeAddress());
      }
      addresses.put(stage.id(), stageAddresses);
    }
    for (StagePlan stage : plan.stages()) {
      // Each subtask deserializes only its own stage's user code, once per subtask.
      byte[] serializedPlan = SerializableUtils.serializeToByteArray(plan.forStage(stage.id()));
      for (int i = 0; i < stage.parallelism(); i++) {
        deployments.add(
            new TaskDeployment(
                new TaskId(jobId, stage.id(), i), serializedPlan, addresses, serializedOptions));
      }
    }
    synchronized (this) {
      remaining = deployments.size();
      state = PipelineResult.State.RUNNING;
    }
    if (deployments.isEmpty()) {
      finish(PipelineResult.State.DONE);
      return;
    }
    for (TaskDeployment d : deployments) {
      if (stopping()) {
        // The job failed or was cancelled while deploying: the rest never starts.
        taskFailed(
            d.taskId(),
            new IllegalStateException("not deployed: the job was already ending"),
            new SubtaskSummary(new MetricsContainerStepMap(), java.util.Collections.emptyMap()));
        continue;
      }
      try {
        placement.get(d.taskId()).deploy(d, this);
      } catch (RuntimeException e) {
        // A subtask that never started still has to be counted, or the job would never end.
        taskFailed(
            d.taskId(),
            new IllegalStateException(
                "Cannot deploy " + d.taskId() + " to " + placement.get(d.taskId()).name(), e),
            new SubtaskSummary(new MetricsContainerStepMap(), java.util.Collections.emptyMap()));
      }
    }
    if (stopping()) {
      // A deployment may have reached its worker after the cancel did (deploys are remote calls
      // for a cluster of processes); cancel again so those subtasks end too.
      cancelEverywhere();
    }
    long timeoutSeconds = options.as(WeirPipelineOptions.class).getNoProgressTimeoutSeconds();
    if (timeoutSeconds > 0) {
      synchronized (this) {
        // A job may already have ended; then finish() has run and nothing would stop the watch.
        if (!state.isTerminal()) {
          progressWatch =
              new ProgressWatch(jobId, workers, timeoutSeconds * 1000, this::fail);
        }
      }
    }
  }

  /**
   * Fails the job from the coordinator's side (no progress): cancels every subtask, and ends the
   * job even if a subtask never returns from user code.
   */
  private void fail(Throwable cause) {
    synchronized (this) {
      if (state.isTerminal() || failure != null) {
        return;
      }
      failure = cause;
    }
    cancelEverywhere();
    Thread deadline =
        new Thread(
            () -> {
              try {
                if (!terminated.await(CANCEL_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                  finish(PipelineResult.State.FAILED);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "weir-deadline-" + jobId);
    deadline.setDaemon(true);
    deadline.start();
  }

  private synchronized boolean stopping() {
    return failure != null || cancelling;
  }

  /** Which worker runs each subtask. */
  @Override
  public Map<TaskId, String> placement() {
    Map<TaskId, String> result = new HashMap<>();
    placement.forEach((id, worker) -> result.put(id, worker.name()));
    return result;
  }

  @Override
  public void taskFinished(TaskId task, SubtaskSummary summary) {
    boolean done;
    synchronized (this) {
      record(summary);
      // A subtask that ended normally has committed all its bundles; there are no retries yet.
      committedMetrics.updateAll(summary.metrics());
      remaining--;
      done = remaining == 0;
    }
    if (done) {
      finish(
          failure != null
              ? PipelineResult.State.FAILED
              : cancelling ? PipelineResult.State.CANCELLED : PipelineResult.State.DONE);
    }
  }

  @Override
  public void taskFailed(TaskId task, Throwable cause, SubtaskSummary summary) {
    boolean first;
    boolean done;
    synchronized (this) {
      record(summary);
      first = failure == null && !cancelling;
      if (first) {
        failure = cause;
      } else if (failure != null && isConsequence(failure) && !isConsequence(cause)) {
        // A channel broke because its peer failed; the peer's own error is the real cause.
        failure = cause;
      }
      remaining--;
      done = remaining == 0;
    }
    if (first) {
      cancelEverywhere();
    }
    if (done) {
      finish(failure != null ? PipelineResult.State.FAILED : PipelineResult.State.CANCELLED);
    }
  }

  private void record(SubtaskSummary summary) {
    metrics.updateAll(summary.metrics());
    for (Map.Entry<ChannelId, Long> sent : summary.elementsSent().entrySet()) {
      ChannelId channel = sent.getKey();
      EdgePlan edge = plan.edge(channel.edgeId());
      WorkerGateway from = placement.get(new TaskId(jobId, edge.fromStage(), channel.producer()));
      WorkerGateway to = placement.get(new TaskId(jobId, edge.toStage(), channel.consumer()));
      if (from != to) {
        elementsBetweenWorkers += sent.getValue();
      }
    }
  }

  /** Elements that went from a subtask on one worker to a subtask on another, so far. */
  @Override
  public synchronized long elementsBetweenWorkers() {
    return elementsBetweenWorkers;
  }

  /** An error that only follows another subtask's failure or the job's cancellation. */
  private static boolean isConsequence(Throwable t) {
    return t instanceof ExchangeException
        || t instanceof InterruptedException
        || t instanceof SubtaskInterruptedException;
  }

  /** Asks every worker to cancel the job; returns at once (wait with {@link #await}). */
  @Override
  public void cancel() {
    synchronized (this) {
      if (state.isTerminal() || cancelling) {
        return;
      }
      cancelling = true;
    }
    cancelEverywhere();
  }

  private void cancelEverywhere() {
    // Off the subtask thread that reported the failure, which must be free to end.
    Thread t =
        new Thread(
            () -> {
              for (WorkerGateway worker : workers) {
                worker.cancelJob(jobId);
              }
            },
            "weir-cancel-" + jobId);
    t.setDaemon(true);
    t.start();
  }

  private void finish(PipelineResult.State finalState) {
    ProgressWatch watch;
    synchronized (this) {
      if (state.isTerminal()) {
        return;
      }
      state = finalState;
      watch = progressWatch;
    }
    if (watch != null) {
      watch.close();
    }
    // Tear down off the reporting subtask's thread; waiters wake once everything is released.
    Thread teardown =
        new Thread(
            () -> {
              try {
                onTerminated.run();
              } finally {
                JobActivity.release(jobId);
                terminated.countDown();
              }
            },
            "weir-teardown-" + jobId);
    teardown.setDaemon(true);
    teardown.start();
  }

  @Override
  public synchronized PipelineResult.State state() {
    return state;
  }

  @Override
  public synchronized @Nullable Throwable failure() {
    return failure;
  }

  /** Attempted metrics: of every subtask that has ended, whether it succeeded or not. */
  @Override
  public synchronized MetricsContainerStepMap attemptedMetrics() {
    MetricsContainerStepMap copy = new MetricsContainerStepMap();
    copy.updateAll(metrics);
    return copy;
  }

  /**
   * The attempted metrics as they grow, for a reader on another thread (the metrics pusher). Its
   * containers are concurrent maps of atomic cells, so reading while it is updated is safe.
   */
  MetricsContainerStepMap liveAttemptedMetrics() {
    return metrics;
  }

  /** Committed metrics: of the subtasks that finished successfully. */
  @Override
  public synchronized MetricsContainerStepMap committedMetrics() {
    MetricsContainerStepMap copy = new MetricsContainerStepMap();
    copy.updateAll(committedMetrics);
    return copy;
  }

  /** Waits for the job to end; false if {@code millis} passed first (negative: forever). */
  @Override
  public boolean await(long millis) throws InterruptedException {
    if (millis < 0) {
      terminated.await();
      return true;
    }
    return terminated.await(millis, TimeUnit.MILLISECONDS);
  }

  static long cancelWaitMillis() {
    return CANCEL_WAIT_MILLIS;
  }
}
