package dev.weir.runner.cluster;

import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.CancelAttempt;
import dev.weir.checkpoint.proto.CheckpointOutcome;
import dev.weir.checkpoint.proto.DeclineCheckpoint;
import dev.weir.checkpoint.proto.TriggerCheckpoint;
import dev.weir.worker.control.ControlChannel;
import dev.weir.worker.control.TaskMessages;
import dev.weir.worker.control.v1.CancelJobRequest;
import dev.weir.worker.control.v1.WorkerGrpc;
import dev.weir.worker.control.v1.WorkerRegistration;
import dev.weir.worker.security.ClusterSecurity;
import dev.weir.worker.task.SubtaskProgress;
import dev.weir.worker.task.SubtaskSummary;
import dev.weir.worker.task.ResourceUse;
import dev.weir.worker.task.TaskDeployment;
import dev.weir.worker.task.TaskId;
import dev.weir.worker.task.TaskListener;
import dev.weir.worker.task.WorkerGateway;
import com.google.protobuf.Empty;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A worker process as the coordinator sees it: deploys, cancels and checkpoint triggers and
 * outcomes go over its control service; the worker's task reports and checkpoint acknowledgements
 * come back through {@link #report}, {@link #acknowledged} and {@link #declined} to the listener
 * given at deploy. The latest {@linkplain #progressReported progress report} of each running
 * subtask is what {@link #progress} answers, for the job's live metrics and no-progress check.
 */
final class RemoteWorker implements WorkerGateway, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteWorker.class);
  private static final long CALL_TIMEOUT_MILLIS = 30_000;

  private final WorkerRegistration registration;
  private final ClusterSecurity security;
  private final ControlChannel channel;
  private final Runnable unreachable;
  private final Map<TaskId, TaskListener> running = new ConcurrentHashMap<>();
  /** The latest report of each running subtask; gone once the subtask has ended. */
  private final Map<TaskId, SubtaskProgress> latestProgress = new ConcurrentHashMap<>();
  private volatile long lastHeartbeatMillis = System.currentTimeMillis();
  private volatile @Nullable ResourceUse resources;

  /** Over plaintext: tests with the worker's service in the same JVM. */
  RemoteWorker(WorkerRegistration registration) {
    this(registration, ClusterSecurity.plaintextInOneJvm(), () -> {});
  }

  /**
   * {@code unreachable} runs when a call to the worker fails as unreachable (UNAVAILABLE: its
   * connection was refused or reset), so the coordinator can check at once whether the process is
   * gone; it must not block.
   */
  RemoteWorker(
      WorkerRegistration registration, ClusterSecurity security, Runnable unreachable) {
    this.registration = registration;
    this.security = security;
    this.channel = new ControlChannel(registration.getControlAddress(), security);
    this.unreachable = unreachable;
  }

  /**
   * Whether the worker's control port refuses a fresh connection, so its process is gone. A
   * process that is alive but does not answer within {@code deadlineMillis} (a long GC pause, a
   * loaded machine) still has its port open: that is not taken for dead here, missed heartbeats
   * decide. A fresh channel, because the worker's own channel may be in reconnect backoff after a
   * transient error and fail calls without trying.
   */
  boolean refusesConnections(long deadlineMillis) {
    try (ControlChannel probe = new ControlChannel(registration.getControlAddress(), security)) {
      probe.call(WorkerGrpc.getPingMethod(), Empty.getDefaultInstance(), deadlineMillis);
      return false;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode() == Status.Code.UNAVAILABLE;
    }
  }

  /** A failed call: if the worker looked unreachable, has the coordinator check on it. */
  private void callFailed(StatusRuntimeException e) {
    if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
      unreachable.run();
    }
  }

  @Override
  public String name() {
    return registration.getName();
  }

  /** Which process of this name it is (a fresh id per process start). */
  String incarnation() {
    return registration.getIncarnation();
  }

  /** Subtasks of each stage of a job this worker takes (its {@code --slots}; at least 1). */
  @Override
  public int slots() {
    return Math.max(1, registration.getSlots());
  }

  @Override
  public String exchangeAddress() {
    return registration.getExchangeAddress();
  }

  @Override
  public void deploy(TaskDeployment deployment, TaskListener listener) {
    TaskId task = deployment.taskId();
    running.put(task, listener);
    try {
      channel.call(
          WorkerGrpc.getDeployMethod(), TaskMessages.deployTask(deployment), CALL_TIMEOUT_MILLIS);
    } catch (StatusRuntimeException e) {
      callFailed(e);
      failIfRunning(
          task,
          new IllegalStateException("Cannot deploy " + task + " to worker " + this, e));
    }
  }

  @Override
  public void cancelJob(String jobId) {
    try {
      channel.call(
          WorkerGrpc.getCancelJobMethod(),
          CancelJobRequest.newBuilder().setJobId(jobId).build(),
          CALL_TIMEOUT_MILLIS);
    } catch (StatusRuntimeException e) {
      callFailed(e);
      LOG.warn("Cannot cancel job {} on worker {}: {}", jobId, name(), e.getStatus());
    }
  }

  @Override
  public void cancelAttempt(String jobId, int attempt) {
    try {
      channel.call(
          WorkerGrpc.getCancelAttemptMethod(),
          CancelAttempt.newBuilder().setJobId(jobId).setAttempt(attempt).build(),
          CALL_TIMEOUT_MILLIS);
    } catch (StatusRuntimeException e) {
      callFailed(e);
      LOG.warn(
          "Cannot cancel attempt {} of job {} on worker {}: {}",
          attempt,
          jobId,
          name(),
          e.getStatus());
    }
  }

  @Override
  public void triggerCheckpoint(TriggerCheckpoint trigger) {
    try {
      channel.call(WorkerGrpc.getTriggerCheckpointMethod(), trigger, CALL_TIMEOUT_MILLIS);
    } catch (StatusRuntimeException e) {
      callFailed(e);
      // The checkpoint then times out, or the worker's loss fails the job.
      LOG.warn(
          "Cannot trigger checkpoint {} of job {} on worker {}: {}",
          trigger.getCheckpointId(),
          trigger.getJobId(),
          name(),
          e.getStatus());
    }
  }

  @Override
  public void checkpointOutcome(CheckpointOutcome outcome) {
    try {
      channel.call(WorkerGrpc.getCheckpointOutcomeMethod(), outcome, CALL_TIMEOUT_MILLIS);
    } catch (StatusRuntimeException e) {
      callFailed(e);
      LOG.warn(
          "Cannot tell worker {} the outcome of checkpoint {} of job {}: {}",
          name(),
          outcome.getCheckpointId(),
          outcome.getJobId(),
          e.getStatus());
    }
  }

  /** A checkpoint acknowledgement from this worker, for the listener of a running task. */
  void acknowledged(TaskId task, AcknowledgeCheckpoint ack) {
    TaskListener listener = running.get(task);
    if (listener != null) {
      listener.checkpointAcknowledged(task, ack);
    }
  }

  /** A checkpoint decline from this worker, for the listener of a running task. */
  void declined(TaskId task, DeclineCheckpoint decline) {
    TaskListener listener = running.get(task);
    if (listener != null) {
      listener.checkpointDeclined(task, decline);
    }
  }

  /**
   * The worker's periodic report of where its running subtasks are; a subtask not (or no longer)
   * running here is left out, so a report that overtook the subtask's end does not outlive it.
   */
  void progressReported(List<SubtaskProgress> subtasks) {
    for (SubtaskProgress progress : subtasks) {
      TaskId task = progress.task();
      if (running.containsKey(task)) {
        latestProgress.put(task, progress);
        if (!running.containsKey(task)) {
          // It ended between the check and the put.
          latestProgress.remove(task);
        }
      }
    }
  }

  /** The latest reported progress of each running subtask of {@code jobId} here. */
  @Override
  public List<SubtaskProgress> progress(String jobId) {
    List<SubtaskProgress> of = new ArrayList<>();
    for (SubtaskProgress progress : latestProgress.values()) {
      if (progress.task().jobId().equals(jobId)) {
        of.add(progress);
      }
    }
    return of;
  }

  /** A task report from this worker; a report for a task not (or no longer) running is dropped. */
  void report(TaskId task, Throwable failure, SubtaskSummary summary) {
    latestProgress.remove(task);
    TaskListener listener = running.remove(task);
    if (listener == null) {
      return;
    }
    if (failure == null) {
      listener.taskFinished(task, summary);
    } else {
      listener.taskFailed(task, failure, summary);
    }
  }

  void heartbeat() {
    lastHeartbeatMillis = System.currentTimeMillis();
  }

  /** A heartbeat that reported the worker's resources (null: it reports none). */
  void heartbeat(@Nullable ResourceUse use) {
    if (use != null) {
      resources = use;
    }
    heartbeat();
  }

  /** The resources its latest heartbeat reported; null if none did. */
  @Nullable ResourceUse resources() {
    return resources;
  }

  long millisSinceHeartbeat() {
    return System.currentTimeMillis() - lastHeartbeatMillis;
  }

  /** The worker is gone: every subtask it was running fails, so its jobs fail instead of hanging. */
  void lost() {
    for (TaskId task : running.keySet()) {
      failIfRunning(
          task,
          new IllegalStateException(
              "Worker " + this + " stopped answering while running " + task));
    }
  }

  private void failIfRunning(TaskId task, Throwable cause) {
    latestProgress.remove(task);
    TaskListener listener = running.remove(task);
    if (listener != null) {
      listener.taskFailed(
          task, cause, new SubtaskSummary(new MetricsContainerStepMap(), Collections.emptyMap()));
    }
  }

  @Override
  public void close() {
    channel.close();
  }

  @Override
  public String toString() {
    return registration.getName()
        + " ("
        + slots()
        + " slots, exchange "
        + registration.getExchangeAddress()
        + ", control "
        + registration.getControlAddress()
        + ")";
  }
}
