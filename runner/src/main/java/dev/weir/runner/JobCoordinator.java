package dev.weir.runner;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.coordination.StageSubtask;
import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.DeclineCheckpoint;
import dev.weir.checkpoint.proto.SubtaskRestore;
import dev.weir.checkpoint.storage.CheckpointStorage;
import dev.weir.checkpoint.storage.CompletedCheckpoint;
import dev.weir.checkpoint.storage.CorruptCheckpointException;
import dev.weir.checkpoint.storage.LatestValidCheckpoint;
import dev.weir.checkpoint.storage.Verification;
import dev.weir.translation.ExecutionPlan;
import dev.weir.worker.exchange.ChannelId;
import dev.weir.worker.control.RemoteFailure;
import dev.weir.worker.exchange.ExchangeException;
import dev.weir.worker.operators.SourceWork;
import dev.weir.worker.task.JobActivity;
import dev.weir.worker.task.MonitoringInfoBytes;
import dev.weir.worker.task.SubtaskInterruptedException;
import dev.weir.worker.task.SubtaskIo;
import dev.weir.worker.task.SubtaskProgress;
import dev.weir.worker.task.SubtaskSummary;
import dev.weir.worker.task.TaskDeployment;
import dev.weir.worker.task.TaskId;
import dev.weir.worker.task.TaskListener;
import dev.weir.worker.task.WorkerGateway;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job on a set of workers, as a sequence of attempts (0 first): places every subtask
 * (subtask i of each stage in slot i, see {@link SlotPlacement}, so forward edges stay on one
 * worker), deploys them, and follows them to the end. Metrics of every subtask are merged as they
 * end, as workers report them while they run, and with checkpoints also as they acknowledge
 * checkpoints (see {@link #attemptedMetrics} and {@link #committedMetrics}).
 *
 * <p>With {@code --checkpointingInterval} a {@link CheckpointCoordinator} checkpoints the running
 * attempt. When a subtask of the attempt fails and restarts remain ({@code
 * --numberOfExecutionRetries}, 3 by default with checkpoints, none without), the attempt is
 * cancelled, its subtasks are awaited, and after {@code --executionRetryDelay} the next attempt is
 * deployed: from the latest valid checkpoint if there is one (each subtask's state chosen by a
 * {@link SubtaskRestores}), from the beginning otherwise. Without restarts left, the first
 * failure cancels the job everywhere and becomes the job's cause.
 */
public final class JobCoordinator implements TaskListener, JobHandle {
  private static final Logger LOG = LoggerFactory.getLogger(JobCoordinator.class);
  private static final long CANCEL_WAIT_MILLIS = 30_000;

  private final String jobId;
  /** The job's stages and edges; user code only as bytes, which the workers decode. */
  private final JobTopology plan;

  /** The workers alive now; each attempt is placed on those the supplier gives at its start. */
  private final Supplier<List<? extends WorkerGateway>> liveWorkers;

  /** Every worker any attempt was placed on: cancels go to all of them. */
  private final Set<WorkerGateway> workers = new CopyOnWriteArraySet<>();

  private final Runnable onTerminated;
  private final Function<String, CheckpointTimer> timers;
  private final SubtaskRestores restoreAssignment;
  private final MetricsContainerStepMap metrics = new MetricsContainerStepMap();

  /** Of the current attempt's subtasks that finished; a restart runs the work again. */
  private MetricsContainerStepMap committedMetrics = new MetricsContainerStepMap();

  /**
   * With checkpoints: the committed metrics (MonitoringInfo bytes) of the checkpoint the current
   * attempt started from; its subtasks count from zero on top of them.
   */
  private List<ByteString> restoredMetrics = List.of();

  /**
   * With --restoreFrom: that checkpoint's committed metrics, counted as attempted too (the job
   * that took it did that work).
   */
  private List<ByteString> carriedOver = List.of();

  /**
   * What each subtask that has not ended had counted at its latest report: its latest acknowledged
   * checkpoint or its worker's latest progress report, whichever came last. Replaced by all it
   * counted when it ends; kept for one whose worker was lost (its end carries no metrics).
   */
  private final Map<TaskId, List<ByteString>> latestCounted = new HashMap<>();

  /**
   * How much of their bounded restrictions the subtasks had done at their latest report, by step
   * name; all of it for one that finished. Entries of earlier attempts are ignored (a restart
   * starts the sum over) and dropped at the restart.
   */
  private final Map<TaskId, Map<String, SourceWork>> latestSourceWork = new HashMap<>();

  private final CountDownLatch terminated = new CountDownLatch(1);
  private final Map<TaskId, WorkerGateway> placement = new HashMap<>();

  /** Subtasks that reported their end; a second report (a retried remote call) is ignored. */
  private final Set<TaskId> ended = new HashSet<>();
  // Each ended subtask's records and bytes in and out, for the web (restarts are bounded).
  private final Map<TaskId, SubtaskIo> endedIo = new HashMap<>();
  private final List<JobRestart> restarts = new ArrayList<>();

  /**
   * By attempt: where the failure that is the attempt's (or the job's) cause came from; of the
   * newest {@value #FAILURE_ORIGINS_KEPT} attempts only (each holds its exception and stack).
   */
  private final Map<Integer, FailureOrigin> failureOrigins = new HashMap<>();

  static final int FAILURE_ORIGINS_KEPT = 100;

  // Set by start() before any subtask runs; read by the threads that report for subtasks.
  private volatile @Nullable SerializablePipelineOptions serializedOptions;
  private volatile CheckpointSettings settings =
      new CheckpointSettings(0, null, 0, 0, 0, 0, 1, null);
  private volatile @Nullable CheckpointStorage storage;
  private volatile @Nullable CheckpointCoordinator checkpoints;

  /**
   * What --restoreFrom named: attempt 0 starts from it, and so does a restart before any own
   * checkpoint.
   */
  private volatile @Nullable RestorePoint initialRestore;

  /**
   * Set once an attempt failed because a checkpoint's file did not match its checksum when a
   * subtask downloaded it: from then on a restart reads every file of a candidate checkpoint
   * before choosing it, so it passes over that one instead of restoring it until the restarts
   * run out. Sizes alone are checked until then; reading all state at every restart is costly.
   */
  private volatile boolean verifyChecksums;

  /** A checkpoint to start from, and the job directory its file paths are relative to. */
  private record RestorePoint(CompletedCheckpoint checkpoint, String jobDirectory) {}

  // Guarded by this.
  private int attempt;

  /** Subtasks of the current attempt that have not ended. */
  private int remaining;

  private int retriesLeft;

  /** The current attempt failed and the next one is being prepared. */
  private boolean restarting;

  /** The failure that makes the current attempt restart. */
  private @Nullable Throwable attemptFailure;

  /** When the job was accepted (its options checked), ms since the epoch; 0 before. */
  private volatile long startedAtMillis;

  /** When the job ended, ms since the epoch; -1 while it has not. */
  private volatile long endedAtMillis = -1;

  private PipelineResult.State state = PipelineResult.State.STOPPED;
  private @Nullable Throwable failure;
  private boolean cancelling;
  private @Nullable ProgressWatch progressWatch;
  private @Nullable ProgressLog progressLog;
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
    this(jobId, plan == null ? null : JobTopology.of(plan), () -> workers, onTerminated);
  }

  /**
   * A coordinator for one job on the workers {@code liveWorkers} gives: attempt 0 and each restart
   * are placed on the workers it returns then (a cluster leaves out those that stopped answering;
   * fewer workers than before is fine).
   */
  public JobCoordinator(
      String jobId,
      ExecutionPlan plan,
      Supplier<List<? extends WorkerGateway>> liveWorkers,
      Runnable onTerminated) {
    this(jobId, JobTopology.of(plan), liveWorkers, onTerminated);
  }

  /**
   * As above, for a job known only by its topology: a standalone coordinator, which has none of
   * the job's classes, places and follows the job without decoding its user code.
   */
  public JobCoordinator(
      String jobId,
      JobTopology plan,
      Supplier<List<? extends WorkerGateway>> liveWorkers,
      Runnable onTerminated) {
    this(
        jobId,
        plan,
        liveWorkers,
        onTerminated,
        CheckpointTimer::system,
        new CheckpointSubtaskRestores());
  }

  /** With the checkpoint timer (tests: a hand-advanced one) and restore assignment given. */
  JobCoordinator(
      String jobId,
      ExecutionPlan plan,
      Supplier<List<? extends WorkerGateway>> liveWorkers,
      Runnable onTerminated,
      Function<String, CheckpointTimer> timers,
      SubtaskRestores restoreAssignment) {
    this(jobId, JobTopology.of(plan), liveWorkers, onTerminated, timers, restoreAssignment);
  }

  private JobCoordinator(
      String jobId,
      JobTopology plan,
      Supplier<List<? extends WorkerGateway>> liveWorkers,
      Runnable onTerminated,
      Function<String, CheckpointTimer> timers,
      SubtaskRestores restoreAssignment) {
    this.jobId = jobId;
    this.plan = plan;
    this.liveWorkers = liveWorkers;
    this.onTerminated = onTerminated;
    this.timers = timers;
    this.restoreAssignment = restoreAssignment;
  }

  /** Places and deploys every subtask of attempt 0; returns once all deployments were sent. */
  public void start(PipelineOptions options) {
    deployFirstAttempt(prepare(options));
  }

  /**
   * Checks the options and the restore point, then deploys attempt 0 on {@code deployer} and
   * returns: a coordinator answering a remote submission answers before the deployments, which are
   * a remote call per subtask and on busy workers can take longer than the client waits. If attempt
   * 0 cannot be deployed (no worker left), the job fails with the reason.
   */
  public void startDeployingOn(PipelineOptions options, Executor deployer) {
    long timeoutSeconds = prepare(options);
    deployer.execute(
        () -> {
          try {
            deployFirstAttempt(timeoutSeconds);
          } catch (RuntimeException e) {
            failBeforeDeploying(e);
          }
        });
  }

  /** Reads the settings and the restore point and opens the storage; the no-progress timeout. */
  private long prepare(PipelineOptions options) {
    settings = CheckpointSettings.from(options.as(WeirPipelineOptions.class));
    serializedOptions = new SerializablePipelineOptions(options);
    startedAtMillis = System.currentTimeMillis();
    if (settings.restoreFrom() != null) {
      initialRestore = readRestoreFrom(settings.restoreFrom());
      synchronized (this) {
        carriedOver = initialRestore.checkpoint().metadata().getCommittedMetricsList();
      }
    }
    if (settings.enabled()) {
      openCheckpoints();
    }
    synchronized (this) {
      retriesLeft = settings.retries();
      state = PipelineResult.State.RUNNING;
    }
    return options.as(WeirPipelineOptions.class).getNoProgressTimeoutSeconds();
  }

  private void failBeforeDeploying(RuntimeException cause) {
    LOG.error("Job {}: cannot deploy its first attempt", jobId, cause);
    synchronized (this) {
      if (state.isTerminal() || failure != null) {
        return;
      }
      failure = cause;
    }
    finish(PipelineResult.State.FAILED);
  }

  private void deployFirstAttempt(long timeoutSeconds) {
    deployAttempt(0, initialRestore);
    long logSeconds = serializedOptions.get().as(WeirPipelineOptions.class).getProgressLogSeconds();
    if (logSeconds > 0) {
      synchronized (this) {
        if (!state.isTerminal()) {
          progressLog =
              new ProgressLog(
                  jobId,
                  logSeconds * 1000,
                  () -> JobProgress.of(attemptedMetrics(), sourceWork(), false));
        }
      }
    }
    if (timeoutSeconds > 0) {
      synchronized (this) {
        // A job may already have ended; then finish() has run and nothing would stop the watch.
        if (!state.isTerminal()) {
          progressWatch =
              new ProgressWatch(jobId, this::runningProgress, timeoutSeconds * 1000, this::fail);
        }
      }
    }
  }

  private void openCheckpoints() {
    try {
      storage = CheckpointStorage.open(settings.checkpointDir(), jobId, Map.of());
      // What an earlier run of a job with this id left half-written is never restored from.
      List<Long> abandoned = storage.discardAbandoned();
      if (!abandoned.isEmpty()) {
        LOG.info("Job {}: discarded abandoned checkpoints {}", jobId, abandoned);
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot open --checkpointDir " + settings.checkpointDir() + " for job " + jobId, e);
    }
    checkpoints =
        new CheckpointCoordinator(
            jobId,
            settings,
            storage,
            PlanFingerprint.of(plan),
            plan.maxParallelism(),
            timers.apply(jobId));
  }

  /**
   * Reads the checkpoint or savepoint {@code --restoreFrom} names ({@code <root>/<job>/chk-<n>} or
   * {@code .../savepoint-<n>}) and checks that its files are there and that the same pipeline took
   * it (the {@linkplain PlanFingerprint plan fingerprint}).
   */
  private RestorePoint readRestoreFrom(java.net.URI uri) {
    String name = CheckpointSettings.restoreDirectoryName(uri);
    java.net.URI jobDir = uri.resolve(uri.getPath().endsWith("/") ? ".." : ".").normalize();
    String jobPath = jobDir.getPath().replaceAll("/+$", "");
    String otherJob = jobPath.substring(jobPath.lastIndexOf('/') + 1);
    java.net.URI root = jobDir.resolve("..").normalize();
    long id = Long.parseLong(name.substring(name.indexOf('-') + 1));
    try (CheckpointStorage source = CheckpointStorage.open(root, otherJob, Map.of())) {
      CompletedCheckpoint checkpoint =
          name.startsWith("savepoint-") ? source.readSavepoint(id) : source.readCheckpoint(id);
      source.verify(checkpoint, Verification.SIZES);
      com.google.protobuf.ByteString taken = checkpoint.metadata().getPlanFingerprint();
      if (!taken.isEmpty() && !taken.equals(PlanFingerprint.of(plan))) {
        throw new IllegalArgumentException(
            "--restoreFrom "
                + uri
                + " was taken by a different pipeline (its stages or transform names differ)");
      }
      LOG.info("Job {}: starting from {}", jobId, checkpoint.location());
      return new RestorePoint(checkpoint, source.jobDirectory().toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("--restoreFrom " + uri + " cannot be read: " + e, e);
    }
  }

  /**
   * Deploys every subtask of attempt {@code number}, from {@code restoreFrom} if not null; a
   * subtask that cannot be deployed counts as failed.
   */
  private void deployAttempt(int number, @Nullable RestorePoint restoreFrom) {
    List<? extends WorkerGateway> available = List.copyOf(liveWorkers.get());
    if (available.isEmpty()) {
      throw new IllegalStateException(
          "No worker is available for attempt " + number + " of job " + jobId);
    }
    workers.addAll(available);
    Map<Integer, List<String>> addresses = new HashMap<>();
    Map<TaskId, WorkerGateway> attemptPlacement = new HashMap<>();
    List<StageSubtask> subtasks = new ArrayList<>();
    Set<WorkerGateway> used = new LinkedHashSet<>();
    int needed = SlotPlacement.slotsNeeded(plan);
    List<WorkerGateway> slots = SlotPlacement.slots(available, needed);
    if (SlotPlacement.overSubscribed(available, needed)) {
      LOG.warn(
          "Job {}: attempt {} needs {} slots and the workers left have {}; some run more than"
              + " their --slots",
          jobId,
          number,
          needed,
          SlotPlacement.slotsOf(available));
    }
    for (JobTopology.Stage stage : plan.stages()) {
      List<String> stageAddresses = new ArrayList<>();
      for (int i = 0; i < stage.parallelism(); i++) {
        WorkerGateway worker = slots.get(i);
        attemptPlacement.put(new TaskId(jobId, stage.id(), i, number), worker);
        stageAddresses.add(worker.exchangeAddress());
        subtasks.add(new StageSubtask(stage.id(), i));
        used.add(worker);
      }
      addresses.put(stage.id(), stageAddresses);
    }
    List<TaskDeployment> deployments = new ArrayList<>();
    for (JobTopology.Stage stage : plan.stages()) {
      // Each subtask deserializes only its own stage's user code, once per subtask.
      byte[] serializedPlan = stage.stagePlan();
      for (int i = 0; i < stage.parallelism(); i++) {
        SubtaskRestore restore =
            restoreFrom == null
                ? null
                : restoreAssignment.restoreFor(
                    restoreFrom.checkpoint(), restoreFrom.jobDirectory(), plan, stage, i);
        deployments.add(
            new TaskDeployment(
                new TaskId(jobId, stage.id(), i, number),
                serializedPlan,
                addresses,
                serializedOptions,
                restore,
                plan.artifacts()));
      }
    }
    List<ByteString> restored =
        restoreFrom == null
            ? List.of()
            : restoreFrom.checkpoint().metadata().getCommittedMetricsList();
    synchronized (this) {
      placement.putAll(attemptPlacement);
      attempt = number;
      remaining = deployments.size();
      restoredMetrics = restored;
    }
    if (deployments.isEmpty()) {
      finish(PipelineResult.State.DONE);
      return;
    }
    if (checkpoints != null) {
      checkpoints.registerAttempt(number, subtasks, used, restored);
    }
    for (TaskDeployment d : deployments) {
      if (stopping()) {
        // The attempt failed or the job was cancelled while deploying: the rest never starts.
        taskFailed(
            d.taskId(),
            new IllegalStateException("not deployed: the attempt was already ending"),
            new SubtaskSummary(new MetricsContainerStepMap(), Collections.emptyMap()));
        continue;
      }
      WorkerGateway worker = attemptPlacement.get(d.taskId());
      try {
        worker.deploy(d, this);
      } catch (RuntimeException e) {
        // A subtask that never started still has to be counted, or the attempt would never end.
        taskFailed(
            d.taskId(),
            new IllegalStateException("Cannot deploy " + d.taskId() + " to " + worker.name(), e),
            new SubtaskSummary(new MetricsContainerStepMap(), Collections.emptyMap()));
      }
    }
    boolean jobEnding;
    boolean attemptEnding;
    synchronized (this) {
      jobEnding = failure != null || cancelling;
      attemptEnding = restarting && attempt == number;
    }
    // A deployment may have reached its worker after the cancel did (deploys are remote calls
    // for a cluster of processes); cancel again so those subtasks end too.
    if (jobEnding) {
      cancelEverywhere();
    } else if (attemptEnding) {
      cancelAttemptEverywhere(number);
    } else if (checkpoints != null) {
      checkpoints.beginCheckpoints(number);
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
      notifyAll();
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
    return failure != null || cancelling || restarting;
  }

  /** Which worker runs each subtask, of every attempt so far. */
  @Override
  public synchronized Map<TaskId, String> placement() {
    Map<TaskId, String> result = new HashMap<>();
    placement.forEach((id, worker) -> result.put(id, worker.name()));
    return result;
  }

  @Override
  public void checkpointAcknowledged(TaskId task, AcknowledgeCheckpoint ack) {
    synchronized (this) {
      if (!ended.contains(task)) {
        latestCounted.put(task, ack.getMetricsList());
      }
    }
    if (checkpoints != null) {
      checkpoints.acknowledged(task, ack);
    }
  }

  @Override
  public void checkpointDeclined(TaskId task, DeclineCheckpoint decline) {
    if (checkpoints != null) {
      checkpoints.declined(task, decline);
    }
  }

  @Override
  public void taskFinished(TaskId task, SubtaskSummary summary) {
    boolean done;
    boolean current;
    synchronized (this) {
      if (!ended.add(task)) {
        return;
      }
      record(task, summary);
      current = task.attempt() == attempt;
      if (!current) {
        // Of an attempt that was given up on (it ended after the wait for it): not counted.
        return;
      }
      // A subtask that ended normally has committed all its bundles, and read all it was given.
      committedMetrics.updateAll(summary.metrics());
      Map<String, SourceWork> work = latestSourceWork.get(task);
      if (work != null) {
        Map<String, SourceWork> finished = new HashMap<>();
        work.forEach((step, w) -> finished.put(step, w.finished()));
        latestSourceWork.put(task, finished);
      }
      remaining--;
      done = remaining == 0 && !restarting;
      notifyAll();
    }
    if (checkpoints != null) {
      checkpoints.subtaskFinished(task, MonitoringInfoBytes.encode(summary.metrics()));
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
    boolean restart = false;
    boolean done;
    int failedAttempt;
    synchronized (this) {
      if (!ended.add(task)) {
        return;
      }
      record(task, summary);
      if (task.attempt() != attempt) {
        return;
      }
      failedAttempt = attempt;
      remaining--;
      notifyAll();
      if (restarting) {
        if (attemptFailure != null && isConsequence(attemptFailure) && !isConsequence(cause)) {
          // A channel broke because its peer failed; the peer's own error is the real cause.
          attemptFailure = cause;
          noteOrigin(task, cause, summary);
        }
        return;
      }
      first = failure == null && !cancelling;
      if (first && retriesLeft > 0) {
        restart = true;
        restarting = true;
        attemptFailure = cause;
        noteOrigin(task, cause, summary);
      } else if (first) {
        failure = cause;
        noteOrigin(task, cause, summary);
      } else if (failure != null && isConsequence(failure) && !isConsequence(cause)) {
        failure = cause;
        noteOrigin(task, cause, summary);
      }
      done = remaining == 0 && !restarting;
    }
    if (restart) {
      Thread t = new Thread(() -> restart(failedAttempt), "weir-restart-" + jobId);
      t.setDaemon(true);
      t.start();
      return;
    }
    if (first) {
      cancelEverywhere();
    }
    if (done) {
      finish(failure != null ? PipelineResult.State.FAILED : PipelineResult.State.CANCELLED);
    }
  }

  /** Guarded by this: {@code cause}, reported by {@code task}, is now its attempt's cause. */
  private void noteOrigin(TaskId task, Throwable cause, SubtaskSummary summary) {
    WorkerGateway worker = placement.get(task);
    // The web shows the newest 100 failures; older origins would only hold their exceptions.
    failureOrigins.keySet().removeIf(a -> a <= task.attempt() - FAILURE_ORIGINS_KEPT);
    failureOrigins.put(
        task.attempt(),
        new FailureOrigin(
            cause,
            task.stage(),
            task.subtask(),
            summary.failedStep(),
            worker == null ? null : worker.name()));
  }

  /**
   * Replaces failed attempt {@code failed} by the next one: stops its checkpoints, cancels it,
   * waits (bounded) for its subtasks to end, waits the retry delay, and deploys the next attempt
   * from the latest valid checkpoint. Runs on its own thread.
   */
  private void restart(int failed) {
    Throwable cause;
    synchronized (this) {
      cause = attemptFailure;
    }
    if (checkpoints != null) {
      checkpoints.stopAttempt("attempt " + failed + " failed: " + cause);
    }
    cancelAttemptEverywhere(failed);
    try {
      awaitAttemptEnd(failed);
      if (settings.retryDelayMillis() > 0) {
        Thread.sleep(settings.retryDelayMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      giveUpRestart(null, e);
      return;
    }
    synchronized (this) {
      // Read after the wait: a subtask's own error may have replaced a consequence by now.
      cause = attemptFailure;
    }
    Throwable damaged = corruptCheckpoint(cause);
    if (damaged != null && !verifyChecksums) {
      LOG.warn(
          "Job {}: attempt {} could not restore its checkpoint ({}); checking the checksums of"
              + " every file before restoring from now on",
          jobId,
          failed,
          damaged.getMessage());
      verifyChecksums = true;
    }
    RestorePoint restoreFrom;
    try {
      restoreFrom = latestCheckpoint();
    } catch (IOException | RuntimeException e) {
      giveUpRestart(null, e);
      return;
    }
    int next;
    synchronized (this) {
      if (failure != null || cancelling) {
        restarting = false;
        boolean done = remaining == 0;
        if (!done) {
          // Subtasks of the failed attempt that outlived the wait will not be counted.
          LOG.warn(
              "Job {}: ending with {} subtasks of attempt {} not ended", jobId, remaining, failed);
        }
        // Falls through to finish below, outside the lock.
        next = -1;
      } else {
        cause = attemptFailure;
        next = failed + 1;
        retriesLeft--;
        // Switched together, so a late report of the failed attempt (one that outlived the wait)
        // is never taken for a failure of the next.
        attempt = next;
        remaining = 0;
        // The next attempt does again what the failed one did after the checkpoint it starts
        // from; what came before is in that checkpoint's committed metrics.
        committedMetrics = new MetricsContainerStepMap();
        latestSourceWork.keySet().removeIf(task -> task.attempt() < attempt);
        // What the web shows of subtasks is of the current attempt; the failed one's placement
        // stays for its late reports, older ones go, so restarts leave nothing behind here.
        endedIo.keySet().removeIf(task -> task.attempt() < attempt);
        placement.keySet().removeIf(task -> task.attempt() < failed);
        restarting = false;
        attemptFailure = null;
        restarts.add(
            new JobRestart(
                next,
                String.valueOf(cause),
                restoreFrom == null
                    ? OptionalLong.empty()
                    : OptionalLong.of(restoreFrom.checkpoint().id()),
                System.currentTimeMillis()));
      }
    }
    if (next == -1) {
      finish(failure != null ? PipelineResult.State.FAILED : PipelineResult.State.CANCELLED);
      return;
    }
    LOG.warn(
        "Job {}: attempt {} failed, deploying attempt {} from {}",
        jobId,
        failed,
        next,
        restoreFrom == null ? "the beginning (no checkpoint)" : restoreFrom.checkpoint().location(),
        cause);
    try {
      deployAttempt(next, restoreFrom);
    } catch (RuntimeException e) {
      giveUpRestart(cause, e);
    }
  }

  /**
   * The job fails with the failed attempt's cause when the restart itself cannot go on ({@code why}
   * added to it as suppressed); {@code attemptCause} null: the attempt's cause as recorded.
   */
  private void giveUpRestart(@Nullable Throwable attemptCause, Exception why) {
    synchronized (this) {
      // The attempt's cause as it stands (a later report may have replaced a consequence).
      Throwable cause =
          attemptCause != null ? attemptCause : attemptFailure != null ? attemptFailure : why;
      if (cause != why) {
        cause.addSuppressed(why);
      }
      if (failure == null) {
        failure = cause;
      }
      restarting = false;
    }
    LOG.warn("Job {}: cannot restart", jobId, why);
    finish(PipelineResult.State.FAILED);
  }

  private synchronized void awaitAttemptEnd(int failed) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CANCEL_WAIT_MILLIS);
    while (attempt == failed && remaining > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        // A subtask stuck in user code: the next attempt's channels carry its number, so
        // whatever the stuck one still sends never reaches them.
        LOG.warn(
            "Job {}: {} subtasks of attempt {} did not end within {} ms of the cancel",
            jobId,
            remaining,
            failed,
            CANCEL_WAIT_MILLIS);
        return;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /**
   * The latest valid checkpoint of the job (corrupt newer ones skipped, with the reason logged);
   * without one, what {@code --restoreFrom} named; or null.
   */
  private @Nullable RestorePoint latestCheckpoint() throws IOException {
    CheckpointStorage own = storage;
    if (own == null) {
      return initialRestore;
    }
    LatestValidCheckpoint latest =
        own.latestValid(verifyChecksums ? Verification.CHECKSUMS : Verification.SIZES);
    // Checkpoints of the failed attempt that never completed; a slow upload of one of them can
    // no longer mix into the next attempt's, whose ids are larger.
    own.discardAbandoned();
    return latest
        .checkpoint()
        .map(c -> new RestorePoint(c, own.jobDirectory().toString()))
        .orElse(initialRestore);
  }

  private void record(TaskId task, SubtaskSummary summary) {
    if (task.attempt() == attempt) {
      endedIo.put(task, summary.io());
    }
    metrics.updateAll(summary.metrics());
    if (summary.metrics().getMonitoringInfos().iterator().hasNext()) {
      // All it counted, which includes what it acknowledged.
      latestCounted.remove(task);
    }
    for (Map.Entry<ChannelId, Long> sent : summary.elementsSent().entrySet()) {
      ChannelId channel = sent.getKey();
      JobTopology.Edge edge = plan.edge(channel.edgeId());
      WorkerGateway from =
          placement.get(new TaskId(jobId, edge.fromStage(), channel.producer(), channel.attempt()));
      WorkerGateway to =
          placement.get(new TaskId(jobId, edge.toStage(), channel.consumer(), channel.attempt()));
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

  /**
   * {@code t} or its first cause that says a checkpoint's file is damaged, or null; from a worker
   * process, a {@link RemoteFailure} that stands for one.
   */
  private static @Nullable Throwable corruptCheckpoint(@Nullable Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (RemoteFailure.isA(c, CorruptCheckpointException.class)) {
        return c;
      }
    }
    return null;
  }

  /**
   * An error that only follows another subtask's failure or the job's cancellation; from a worker
   * process, a {@link RemoteFailure} that stands for one.
   */
  private static boolean isConsequence(Throwable t) {
    return RemoteFailure.isA(t, ExchangeException.class)
        || RemoteFailure.isA(t, InterruptedException.class)
        || RemoteFailure.isA(t, SubtaskInterruptedException.class);
  }

  /** Asks every worker to cancel the job; returns at once (wait with {@link #await}). */
  @Override
  public void cancel() {
    synchronized (this) {
      if (state.isTerminal() || cancelling) {
        return;
      }
      cancelling = true;
      notifyAll();
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

  private void cancelAttemptEverywhere(int number) {
    for (WorkerGateway worker : workers) {
      try {
        worker.cancelAttempt(jobId, number);
      } catch (RuntimeException e) {
        // An unreachable worker's subtasks fail on their own; the wait for them is bounded.
        LOG.warn("Job {}: cannot cancel attempt {} on {}", jobId, number, worker.name(), e);
      }
    }
  }

  private void finish(PipelineResult.State finalState) {
    ProgressWatch watch;
    ProgressLog log;
    synchronized (this) {
      if (state.isTerminal()) {
        return;
      }
      state = finalState;
      endedAtMillis = System.currentTimeMillis();
      watch = progressWatch;
      log = progressLog;
      notifyAll();
    }
    if (watch != null) {
      watch.close();
    }
    if (log != null) {
      log.close();
    }
    // Tear down off the reporting subtask's thread; waiters wake once everything is released.
    Thread teardown =
        new Thread(
            () -> {
              try {
                closeCheckpoints();
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

  private void closeCheckpoints() {
    if (checkpoints != null) {
      checkpoints.close();
    }
    if (storage != null) {
      try {
        storage.close();
      } catch (IOException e) {
        LOG.warn("Job {}: cannot close the checkpoint storage", jobId, e);
      }
    }
  }

  @Override
  public synchronized PipelineResult.State state() {
    return state;
  }

  @Override
  public synchronized @Nullable Throwable failure() {
    return failure;
  }

  /** The attempt running now (0 until the first restart). */
  synchronized int attempt() {
    return attempt;
  }

  // Read by the web server's view (CoordinatorView), on its request threads.

  String jobId() {
    return jobId;
  }

  JobTopology topology() {
    return plan;
  }

  /** When the job was accepted, ms since the epoch; 0 before {@link #start}. */
  long startedAtMillis() {
    return startedAtMillis;
  }

  /** When the job ended, ms since the epoch; -1 while it runs. */
  long endedAtMillis() {
    return endedAtMillis;
  }

  /** The job's options as JSON text (Beam's serialized form), or null before {@link #start}. */
  @Nullable
  String optionsJson() {
    SerializablePipelineOptions options = serializedOptions;
    return options == null ? null : options.toString();
  }

  /** The job's {@code --jobName}, or its id before {@link #start}. */
  String jobName() {
    SerializablePipelineOptions options = serializedOptions;
    return options == null ? jobId : options.get().getJobName();
  }

  /** Where each running subtask is (read now in this JVM, as last reported by processes). */
  List<SubtaskProgress> subtaskProgress() {
    return runningProgress();
  }

  /**
   * The records and bytes in and out of each subtask of the current attempt that has ended, over
   * its life; for the web's stage view.
   */
  synchronized Map<TaskId, SubtaskIo> endedSubtasksIo() {
    Map<TaskId, SubtaskIo> current = new HashMap<>();
    endedIo.forEach(
        (task, io) -> {
          if (task.attempt() == attempt) {
            current.put(task, io);
          }
        });
    return current;
  }

  /** How many subtasks of any attempt have reported their end; the web's readings key on it. */
  synchronized int endedSubtaskCount() {
    return ended.size();
  }

  /** The checkpoint coordinator, or null without checkpoints. */
  @Nullable
  CheckpointCoordinator checkpointCoordinator() {
    return checkpoints;
  }

  @Override
  public List<CheckpointStats> checkpoints() {
    return checkpoints == null ? List.of() : checkpoints.checkpoints();
  }

  /**
   * Where attempt {@code attempt}'s failure came from, if it is known and {@code cause} is still
   * that failure (a restart that could not go on may fail the job with another).
   */
  synchronized @Nullable FailureOrigin failureOrigin(int attempt, @Nullable Throwable cause) {
    FailureOrigin origin = failureOrigins.get(attempt);
    return origin != null && (cause == null || origin.cause() == cause) ? origin : null;
  }

  @Override
  public synchronized List<JobRestart> restarts() {
    return List.copyOf(restarts);
  }

  @Override
  public String savepoint(@Nullable String uri) {
    if (checkpoints == null) {
      throw new IllegalStateException(
          "Job "
              + jobId
              + " takes no checkpoints (no --checkpointingInterval); a savepoint copies"
              + " the latest one");
    }
    if (uri != null && !sameDirectory(uri, settings.checkpointDir().toString())) {
      throw new UnsupportedOperationException(
          "A savepoint goes under the job's --checkpointDir ("
              + settings.checkpointDir()
              + "); another directory ("
              + uri
              + ") is not supported yet (issue 13, item 9)");
    }
    try {
      return checkpoints.savepoint().location();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot take a savepoint of job " + jobId, e);
    }
  }

  private static boolean sameDirectory(String a, String b) {
    return java.net
        .URI
        .create(a)
        .normalize()
        .toString()
        .replaceAll("/+$", "")
        .equals(java.net.URI.create(b).normalize().toString().replaceAll("/+$", ""));
  }

  /**
   * Attempted metrics: of every subtask that has ended, whether it succeeded or not; what each
   * other subtask (those running, and those lost with their worker) counted up to its latest
   * progress report or acknowledged checkpoint, whichever came last (a worker in this JVM is read
   * now, a worker process reports every few seconds); and what a --restoreFrom checkpoint
   * committed.
   */
  @Override
  public MetricsContainerStepMap attemptedMetrics() {
    return attemptedMetrics(runningProgress());
  }

  /**
   * {@link #attemptedMetrics()} from {@code running}, a reading the caller took with {@link
   * #subtaskProgress()}: the web reads the subtasks once for their stages and their metrics.
   */
  MetricsContainerStepMap attemptedMetrics(List<SubtaskProgress> running) {
    synchronized (this) {
      noteCounted(running);
      MetricsContainerStepMap copy = new MetricsContainerStepMap();
      copy.updateAll(metrics);
      for (List<ByteString> counted : latestCounted.values()) {
        MonitoringInfoBytes.addTo(copy, counted);
      }
      MonitoringInfoBytes.addTo(copy, carriedOver);
      return copy;
    }
  }

  /**
   * Where every running subtask of the job is: read now from workers in this JVM, as last reported
   * (every few seconds) by worker processes. Called without this object's lock: a worker in this
   * JVM reads its subtasks' state.
   */
  private List<SubtaskProgress> runningProgress() {
    List<SubtaskProgress> all = new ArrayList<>();
    for (WorkerGateway worker : workers) {
      all.addAll(worker.progress(jobId));
    }
    return all;
  }

  /** Keeps what each running subtask reported it had counted; an ended one's report is stale. */
  private void noteCounted(List<SubtaskProgress> running) {
    for (SubtaskProgress progress : running) {
      if (!ended.contains(progress.task()) && !progress.metrics().isEmpty()) {
        latestCounted.put(progress.task(), progress.metrics());
      }
      if (!ended.contains(progress.task())
          && progress.task().attempt() == attempt
          && !progress.sourceWork().isEmpty()) {
        latestSourceWork.put(progress.task(), progress.sourceWork());
      }
    }
  }

  /**
   * Of the current attempt, by step name, the bounded sources' work: summed over its subtasks'
   * latest reports (a worker in this JVM is read now), all of it for those that finished.
   */
  @Override
  public Map<String, SourceWork> sourceWork() {
    List<SubtaskProgress> running = runningProgress();
    synchronized (this) {
      noteCounted(running);
      Map<String, SourceWork> bySource = new TreeMap<>();
      latestSourceWork.forEach(
          (task, work) -> {
            if (task.attempt() == attempt) {
              work.forEach((step, w) -> bySource.merge(step, w, SourceWork::plus));
            }
          });
      return bySource;
    }
  }

  /**
   * The attempted metrics as they grow, for a reader on another thread (the metrics pusher). Its
   * containers are concurrent maps of atomic cells, so reading while it is updated is safe.
   */
  MetricsContainerStepMap liveAttemptedMetrics() {
    return metrics;
  }

  /**
   * Committed metrics. With checkpoints: the values as of the latest completed checkpoint (what
   * every subtask had counted at its snapshot), and once the job is done all that the attempt
   * counted on top of the checkpoint it started from; a restart goes on from its checkpoint's
   * values, so replayed work is counted once. Without checkpoints: of the subtasks of the current
   * attempt that finished successfully (after a restart, the failed attempt's no longer count:
   * the new attempt does that work again).
   */
  @Override
  public MetricsContainerStepMap committedMetrics() {
    CheckpointCoordinator checkpointing = checkpoints;
    MetricsContainerStepMap copy = new MetricsContainerStepMap();
    synchronized (this) {
      if (checkpointing == null || state == PipelineResult.State.DONE) {
        copy.updateAll(committedMetrics);
        MonitoringInfoBytes.addTo(copy, restoredMetrics);
        return copy;
      }
    }
    // Outside this object's lock: the checkpoint coordinator never waits for it, keep it so.
    MonitoringInfoBytes.addTo(copy, checkpointing.committedMetrics());
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
