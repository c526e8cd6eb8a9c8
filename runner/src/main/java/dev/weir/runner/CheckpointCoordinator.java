package dev.weir.runner;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.coordination.PendingCheckpoint;
import dev.weir.checkpoint.coordination.StageSubtask;
import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.CheckpointKind;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.CheckpointOutcome;
import dev.weir.checkpoint.proto.DeclineCheckpoint;
import dev.weir.checkpoint.proto.TriggerCheckpoint;
import dev.weir.checkpoint.storage.CheckpointStorage;
import dev.weir.checkpoint.storage.CompletedCheckpoint;
import dev.weir.checkpoint.storage.CorruptCheckpointException;
import dev.weir.worker.task.MonitoringInfoBytes;
import dev.weir.worker.task.TaskId;
import dev.weir.worker.task.WorkerGateway;
import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a job's periodic checkpoints: triggers checkpoint n at the workers of the running attempt
 * every {@code --checkpointingInterval} (one at a time, at least {@code
 * --minPauseBetweenCheckpoints} after the previous one ended), collects the subtasks'
 * acknowledgements in a {@link PendingCheckpoint}, and when all are in writes the metadata, applies
 * retention and tells the workers. A decline, a timeout or the end of the attempt aborts the
 * checkpoint: its files are discarded and the workers told.
 *
 * <p>Threads: triggers and timeouts run on the {@link CheckpointTimer}; a checkpoint completes on
 * the thread that delivers its last acknowledgement (a worker's upload thread or gRPC thread),
 * outside this object's lock. Storage writes and the messages that follow them are serialized by
 * one further lock, so {@link #stopAttempt} returns only once no completion is under way.
 */
final class CheckpointCoordinator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointCoordinator.class);

  private final String jobId;
  private final CheckpointSettings settings;
  private final CheckpointStorage storage;
  private final ByteString planFingerprint;
  private final CheckpointTimer timer;

  /** Held while the storage is written and the outcome sent, never while {@code this} is. */
  private final Object completionLock = new Object();

  // Guarded by this.
  private final CheckpointHistory stats = new CheckpointHistory(CheckpointHistory.DEFAULT_CAPACITY);
  private final CheckpointDetails details = new CheckpointDetails();
  private final Set<StageSubtask> subtasks = new HashSet<>();
  private final int maxParallelism;
  private final Set<StageSubtask> finished = new HashSet<>();
  // Committed metrics (MonitoringInfo bytes): of the checkpoint the attempt started from, and as
  // of the latest completed checkpoint; and what each finished subtask counted in all.
  private List<ByteString> restoredMetrics = List.of();
  private List<ByteString> committedMetrics = List.of();
  private final Map<StageSubtask, List<ByteString>> finishedMetrics = new HashMap<>();
  private List<WorkerGateway> workers = List.of();
  private int attempt = -1;

  /** Changes whenever an attempt starts or stops, so timer tasks of an earlier one do nothing. */
  private long generation;

  private @Nullable PendingCheckpoint pending;
  private long lastId = -1;
  private long lastTriggerMillis;
  private long lastEndMillis;
  private boolean closed;

  CheckpointCoordinator(
      String jobId,
      CheckpointSettings settings,
      CheckpointStorage storage,
      ByteString planFingerprint,
      int maxParallelism,
      CheckpointTimer timer) {
    if (!settings.enabled()) {
      throw new IllegalArgumentException("Checkpoints are off for job " + jobId);
    }
    this.jobId = jobId;
    this.settings = settings;
    this.storage = storage;
    this.planFingerprint = planFingerprint;
    this.maxParallelism = maxParallelism;
    this.timer = timer;
  }

  CheckpointStorage storage() {
    return storage;
  }

  /**
   * Starts taking checkpoints of attempt {@code attempt}: {@link #registerAttempt}, then {@link
   * #beginCheckpoints}.
   */
  void startAttempt(
      int attempt,
      Collection<StageSubtask> attemptSubtasks,
      Collection<? extends WorkerGateway> attemptWorkers) {
    registerAttempt(attempt, attemptSubtasks, attemptWorkers, List.of());
    beginCheckpoints(attempt);
  }

  /**
   * Makes {@code attempt} the current one, before its subtasks are deployed, so that those that
   * finish at once are counted; no checkpoint is triggered until {@link #beginCheckpoints}.
   *
   * @param attemptSubtasks every subtask the attempt deploys
   * @param attemptWorkers the workers those subtasks run on
   * @param restored the committed metrics of the checkpoint the attempt starts from (empty
   *     without one): its subtasks count from zero, so each checkpoint's committed metrics are
   *     these plus what the subtasks counted up to it
   */
  void registerAttempt(
      int attempt,
      Collection<StageSubtask> attemptSubtasks,
      Collection<? extends WorkerGateway> attemptWorkers,
      List<ByteString> restored) {
    synchronized (this) {
      if (closed) {
        return;
      }
      this.attempt = attempt;
      generation++;
      subtasks.clear();
      subtasks.addAll(attemptSubtasks);
      finished.clear();
      finishedMetrics.clear();
      restoredMetrics = List.copyOf(restored);
      committedMetrics = restoredMetrics;
      workers = List.copyOf(new LinkedHashSet<>(attemptWorkers));
      pending = null;
      lastTriggerMillis = timer.nowMillis();
      lastEndMillis = Long.MIN_VALUE / 2;
    }
  }

  /**
   * Every subtask of {@code attempt} was deployed: the first checkpoint is due one interval from
   * now. A trigger sent earlier could reach a worker before the subtasks it is meant for (deploys
   * to other processes take a while) and would then wait for its timeout.
   */
  void beginCheckpoints(int attempt) {
    long scheduled;
    synchronized (this) {
      if (closed || attempt != this.attempt) {
        return;
      }
      lastTriggerMillis = timer.nowMillis();
      scheduled = generation;
    }
    scheduleTrigger(scheduled, settings.intervalMillis());
  }

  /**
   * Stops taking checkpoints of the current attempt (it failed, was cancelled or ended) and aborts
   * the one in flight; returns once no completion is under way, so the caller may look for the
   * latest checkpoint.
   */
  void stopAttempt(String reason) {
    PendingCheckpoint inFlight;
    synchronized (this) {
      generation++;
      attempt = -1;
      inFlight = pending;
    }
    if (inFlight != null) {
      abort(inFlight, reason, false);
    }
    synchronized (completionLock) {
      // Waits for a completion that was already writing when the attempt stopped.
    }
  }

  /**
   * A subtask ended normally, having counted {@code metrics} (MonitoringInfo bytes) in all; a
   * checkpoint in flight counts it as acknowledged with no state and with those metrics.
   */
  void subtaskFinished(TaskId task, List<ByteString> metrics) {
    PendingCheckpoint toComplete = null;
    synchronized (this) {
      if (task.attempt() != attempt) {
        return;
      }
      StageSubtask subtask = new StageSubtask(task.stage(), task.subtask());
      finished.add(subtask);
      finishedMetrics.put(subtask, List.copyOf(metrics));
      if (pending != null && pending.subtaskFinished(subtask)) {
        details.finished(pending.checkpointId(), subtask);
        if (pending.isComplete()) {
          toComplete = pending;
        }
      }
    }
    if (toComplete != null) {
      complete(toComplete);
    }
  }

  void acknowledged(TaskId task, AcknowledgeCheckpoint ack) {
    PendingCheckpoint toComplete = null;
    synchronized (this) {
      if (pending == null || !pending.acknowledge(ack)) {
        LOG.debug("Ignored acknowledgement of checkpoint {} from {}", ack.getCheckpointId(), task);
        return;
      }
      details.acknowledged(ack, timer.nowMillis());
      if (pending.isComplete()) {
        toComplete = pending;
      }
    }
    if (toComplete != null) {
      complete(toComplete);
    }
  }

  void declined(TaskId task, DeclineCheckpoint decline) {
    PendingCheckpoint declined;
    synchronized (this) {
      declined = pending;
      if (declined == null
          || declined.checkpointId() != decline.getCheckpointId()
          || declined.attempt() != decline.getAttempt()) {
        return;
      }
      details.declined(
          decline.getCheckpointId(),
          new StageSubtask(decline.getStage(), decline.getSubtask()),
          decline.getReason());
    }
    abort(declined, "subtask " + task + " declined: " + decline.getReason(), true);
  }

  /**
   * The newest checkpoints that ended (at most {@link CheckpointHistory#DEFAULT_CAPACITY}), oldest
   * first.
   */
  synchronized List<CheckpointStats> checkpoints() {
    return stats.newest();
  }

  /** Checkpoints completed over the whole run (the history keeps only the newest). */
  /**
   * Each subtask's part of checkpoint {@code id}, by stage and subtask; null unless it is one of
   * the newest {@link CheckpointDetails#CAPACITY} triggered.
   */
  synchronized @Nullable List<CheckpointDetails.Part> parts(long id) {
    return details.of(id);
  }

  synchronized long completedCount() {
    return stats.completedCount();
  }

  /** Checkpoints aborted over the whole run. */
  synchronized long abortedCount() {
    return stats.abortedCount();
  }

  /** The id of the newest checkpoint this coordinator completed. */
  synchronized OptionalLong latestCompleted() {
    return stats.latestCompleted();
  }

  private void scheduleTrigger(long forGeneration, long delayMillis) {
    timer.schedule(Math.max(0, delayMillis), () -> trigger(forGeneration));
  }

  private void trigger(long forGeneration) {
    synchronized (this) {
      if (closed || forGeneration != generation || pending != null) {
        return;
      }
      if (finished.containsAll(subtasks)) {
        // Every subtask finished: the attempt is ending and there is nothing left to checkpoint.
        return;
      }
    }
    long id;
    try {
      id = storage.nextCheckpointId();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Job {}: cannot pick a checkpoint id, trying again in one interval", jobId, e);
      scheduleTrigger(forGeneration, settings.intervalMillis());
      return;
    }
    PendingCheckpoint started;
    List<WorkerGateway> targets;
    TriggerCheckpoint message;
    synchronized (this) {
      if (closed || forGeneration != generation || pending != null) {
        return;
      }
      // Never reuse an id, not even one whose directory an abort removed: a slow subtask of it
      // may still be uploading.
      id = Math.max(id, lastId + 1);
      lastId = id;
      long now = timer.nowMillis();
      started =
          new PendingCheckpoint(
              jobId, attempt, id, CheckpointKind.CHECKPOINT, now, planFingerprint, subtasks);
      details.triggered(id, now, subtasks);
      // Subtasks that ended already are recorded as finished, so a restore ends them at once.
      for (StageSubtask done : finished) {
        if (started.subtaskFinished(done)) {
          details.finished(id, done);
        }
      }
      pending = started;
      lastTriggerMillis = now;
      targets = workers;
      message =
          TriggerCheckpoint.newBuilder()
              .setJobId(jobId)
              .setAttempt(attempt)
              .setCheckpointId(id)
              .setTriggeredAtMillis(now)
              .setKind(CheckpointKind.CHECKPOINT)
              .build();
    }
    // By id, not the checkpoint: the timeout stays queued until due (10 minutes by default) long
    // after the checkpoint completed, and would hold it and its acknowledgements till then.
    long startedId = started.checkpointId();
    timer.schedule(settings.timeoutMillis(), () -> timeOut(startedId));
    if (started.isComplete()) {
      complete(started);
      return;
    }
    for (WorkerGateway worker : targets) {
      try {
        worker.triggerCheckpoint(message);
      } catch (RuntimeException e) {
        abort(started, "cannot trigger it at worker " + worker.name() + ": " + e, true);
        return;
      }
    }
  }

  /** Aborts checkpoint {@code checkpointId} if it is still the pending one (ids are never reused). */
  private void timeOut(long checkpointId) {
    String awaited;
    PendingCheckpoint checkpoint;
    synchronized (this) {
      checkpoint = pending;
      if (checkpoint == null || checkpoint.checkpointId() != checkpointId) {
        return;
      }
      awaited = checkpoint.awaited().toString();
    }
    abort(
        checkpoint,
        "timed out after " + settings.timeoutMillis() + " ms, awaiting " + awaited,
        true);
  }

  private void complete(PendingCheckpoint checkpoint) {
    synchronized (completionLock) {
      CheckpointMetadata metadata;
      synchronized (this) {
        if (pending != checkpoint || !checkpoint.isComplete()) {
          return;
        }
        CheckpointMetadata.Builder completed =
            checkpoint.toMetadata(timer.nowMillis()).toBuilder().setMaxParallelism(maxParallelism);
        for (StageSubtask subtask : subtasks) {
          completed.putStageParallelism(
              subtask.stage(),
              Math.max(
                  completed.getStageParallelismOrDefault(subtask.stage(), 0),
                  subtask.subtask() + 1));
        }
        metadata = completed.addAllCommittedMetrics(committedAt(checkpoint)).build();
      }
      CompletedCheckpoint written;
      try {
        written = storage.complete(metadata);
      } catch (CorruptCheckpointException e) {
        // A subtask referenced a file that is gone or differs; referencing it again would fail
        // every later checkpoint the same way.
        abort(checkpoint, "a file it names is unusable: " + e.getMessage(), true, true);
        return;
      } catch (IOException | RuntimeException e) {
        abort(checkpoint, "cannot write its metadata: " + e, true);
        return;
      }
      try {
        storage.retain(settings.retained());
      } catch (IOException | RuntimeException e) {
        // The checkpoint stands; the old ones go at the next completion.
        LOG.warn("Job {}: retention after checkpoint {} failed", jobId, written.id(), e);
      }
      List<WorkerGateway> targets;
      CheckpointStats completed;
      synchronized (this) {
        // Stored: a restore from it counts on from these.
        committedMetrics = metadata.getCommittedMetricsList();
      }
      long forGeneration;
      long nextDelay;
      synchronized (this) {
        long now = timer.nowMillis();
        pending = null;
        lastEndMillis = now;
        completed =
            new CheckpointStats(
                checkpoint.checkpointId(),
                checkpoint.attempt(),
                CheckpointStats.Status.COMPLETED,
                checkpoint.triggeredAtMillis(),
                now - checkpoint.triggeredAtMillis(),
                checkpoint.stateBytes(),
                checkpoint.uploadedBytes(),
                checkpoint.maxSyncMillis(),
                checkpoint.maxAsyncMillis(),
                null);
        stats.add(completed);
        targets = checkpoint.attempt() == attempt ? workers : List.of();
        forGeneration = generation;
        nextDelay = nextTriggerDelay(now);
      }
      LOG.info(
          "Job {}: checkpoint {} (attempt {}) completed in {} ms (longest sync part {} ms, upload"
              + " {} ms), {} bytes, {} bytes uploaded",
          jobId,
          completed.id(),
          completed.attempt(),
          completed.durationMillis(),
          completed.maxSyncMillis(),
          completed.maxAsyncMillis(),
          completed.sizeBytes(),
          completed.incrementalSizeBytes());
      sendOutcome(targets, checkpoint, true, false);
      scheduleTrigger(forGeneration, nextDelay);
    }
  }

  private void abort(PendingCheckpoint checkpoint, String reason, boolean scheduleNext) {
    abort(checkpoint, reason, scheduleNext, false);
  }

  private void abort(
      PendingCheckpoint checkpoint,
      String reason,
      boolean scheduleNext,
      boolean reuploadSharedFiles) {
    synchronized (completionLock) {
      List<WorkerGateway> targets;
      long forGeneration;
      long nextDelay;
      synchronized (this) {
        if (pending != checkpoint) {
          return;
        }
        checkpoint.abort(reason);
        long now = timer.nowMillis();
        pending = null;
        lastEndMillis = now;
        stats.add(
            new CheckpointStats(
                checkpoint.checkpointId(),
                checkpoint.attempt(),
                CheckpointStats.Status.ABORTED,
                checkpoint.triggeredAtMillis(),
                now - checkpoint.triggeredAtMillis(),
                0,
                0,
                0,
                0,
                checkpoint.abortReason()));
        targets = checkpoint.attempt() == attempt ? workers : List.of();
        forGeneration = generation;
        nextDelay = nextTriggerDelay(now);
      }
      LOG.warn(
          "Job {}: checkpoint {} (attempt {}) aborted: {}",
          jobId,
          checkpoint.checkpointId(),
          checkpoint.attempt(),
          checkpoint.abortReason());
      try {
        storage.discard(checkpoint.checkpointId());
      } catch (IOException | RuntimeException e) {
        // Its files stay until retention or the next recovery removes them.
        LOG.warn("Job {}: cannot discard checkpoint {}", jobId, checkpoint.checkpointId(), e);
      }
      sendOutcome(targets, checkpoint, false, reuploadSharedFiles);
      if (scheduleNext) {
        scheduleTrigger(forGeneration, nextDelay);
      }
    }
  }

  /**
   * The job's committed metrics as of {@code checkpoint}: those the attempt started from, what
   * each subtask had counted at its snapshot, and all a finished subtask counted.
   */
  private List<ByteString> committedAt(PendingCheckpoint checkpoint) {
    MetricsContainerStepMap sum = MonitoringInfoBytes.decode(restoredMetrics);
    for (AcknowledgeCheckpoint ack : checkpoint.acknowledgements().values()) {
      MonitoringInfoBytes.addTo(sum, ack.getMetricsList());
    }
    for (StageSubtask subtask : checkpoint.finished()) {
      MonitoringInfoBytes.addTo(sum, finishedMetrics.getOrDefault(subtask, List.of()));
    }
    return MonitoringInfoBytes.encode(sum);
  }

  /**
   * The job's committed metrics (MonitoringInfo bytes) as of the latest checkpoint completed, or
   * of the one the attempt started from if none has since.
   */
  synchronized List<ByteString> committedMetrics() {
    return committedMetrics;
  }

  /** One interval after the last trigger, and at least the minimal pause after the last end. */
  private long nextTriggerDelay(long now) {
    long due =
        Math.max(
            lastTriggerMillis + settings.intervalMillis(),
            lastEndMillis + settings.minPauseMillis());
    return Math.max(0, due - now);
  }

  private void sendOutcome(
      List<WorkerGateway> targets,
      PendingCheckpoint checkpoint,
      boolean completed,
      boolean reuploadSharedFiles) {
    CheckpointOutcome outcome =
        CheckpointOutcome.newBuilder()
            .setJobId(jobId)
            .setAttempt(checkpoint.attempt())
            .setCheckpointId(checkpoint.checkpointId())
            .setCompleted(completed)
            .setReuploadSharedFiles(reuploadSharedFiles)
            .build();
    for (WorkerGateway worker : targets) {
      try {
        worker.checkpointOutcome(outcome);
      } catch (RuntimeException e) {
        // A worker that cannot be reached fails its subtasks, and the job restarts.
        LOG.warn("Job {}: cannot tell {} of checkpoint {}", jobId, worker.name(), outcome, e);
      }
    }
  }

  /**
   * Copies the newest completed checkpoint into a self-contained savepoint ({@code savepoint-<n>/}
   * beside the checkpoints), which retention never removes; taking one again before another
   * checkpoint completed returns the same savepoint.
   *
   * @throws IllegalStateException if no checkpoint has completed yet
   */
  CompletedCheckpoint savepoint() throws IOException {
    // Under the completion lock, so retention cannot remove files while they are copied.
    synchronized (completionLock) {
      OptionalLong latest = latestCompleted();
      if (latest.isEmpty()) {
        throw new IllegalStateException(
            "No checkpoint of job " + jobId + " has completed yet; a savepoint copies the latest");
      }
      long id = latest.getAsLong();
      if (storage.savepointIds().contains(id)) {
        return storage.readSavepoint(id);
      }
      CompletedCheckpoint savepoint = storage.savepoint(id);
      LOG.info("Job {}: savepoint of checkpoint {} at {}", jobId, id, savepoint.location());
      return savepoint;
    }
  }

  /** Stops triggering and aborts the checkpoint in flight; the storage stays open. */
  @Override
  public void close() {
    stopAttempt("the job ended");
    synchronized (this) {
      closed = true;
    }
    timer.close();
  }
}
