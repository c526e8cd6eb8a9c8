package dev.weir.worker.task;

import dev.weir.translation.StagePlan;
import dev.weir.worker.exchange.CreditWaits;
import dev.weir.worker.exchange.DataExchange;
import java.util.function.Supplier;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Runs one subtask on its own thread, through its life: builds it ({@link SubtaskWiring}), runs its
 * input loop ({@link InputLoop}) or, for a stage without input, its source operators ({@link
 * SubtaskSourceControl}), fires the timers left when input has ended ({@link FinalTimers}), tears
 * it down and reports how it ended.
 */
final class SubtaskRunner implements Runnable {
  private final TaskDeployment deployment;
  private final TaskListener listener;
  private final Supplier<Instant> clock;
  private final MetricsContainerStepMap metrics = new MetricsContainerStepMap();
  // The stage's description for progress(), once the stage is wired; any thread.
  private volatile @Nullable String description;
  private final SubtaskWiring wiring;
  private final ProgressSignals progress = new ProgressSignals();
  private final CheckpointMailbox mailbox = new CheckpointMailbox();

  /** This subtask's thread's waits for output credit; set when it starts. */
  private volatile CreditWaits.Recorder creditWaits = new CreditWaits.Recorder();

  SubtaskRunner(
      TaskDeployment deployment,
      DataExchange exchange,
      StateBackendFactory backends,
      TaskListener listener,
      Supplier<Instant> clock,
      CheckpointUploads uploads) {
    this.deployment = deployment;
    this.listener = listener;
    this.clock = clock;
    this.wiring =
        new SubtaskWiring(deployment, exchange, backends, metrics, clock, listener, uploads);
  }

  @Override
  public void run() {
    TaskId id = deployment.taskId();
    Thread.currentThread().setName("weir-subtask-" + id);
    creditWaits = CreditWaits.recordOnThisThread();
    Throwable failure = null;
    try {
      wiring.open();
      // Opened: progress for the no-progress check, which a slow start (a cold worker JVM loading
      // the job's classes) would otherwise look like.
      progress.eventHandled();
      SubtaskTime time = wiring.time();
      String stageName = wiring.stage().name();
      if (wiring.gate() == null && restoredFinished()) {
        // The checkpoint it restores from was taken after this source had emitted everything:
        // it ends at once (its end of input tells its consumers, as the first time).
      } else if (wiring.gate() == null) {
        wiring
            .chain()
            .start(
                new SubtaskSourceControl(
                    time,
                    wiring.bundle(),
                    progress,
                    wiring.activity(),
                    clock,
                    stageName,
                    wiring.checkpointer(),
                    mailbox));
      } else {
        new InputLoop(
                wiring.gate(),
                wiring.channels(),
                wiring.routes(),
                wiring.chain(),
                wiring.bundle(),
                time,
                progress,
                wiring.activity(),
                clock,
                wiring.checkpointer(),
                mailbox)
            .run();
      }
      new FinalTimers(
              time,
              wiring.chain(),
              wiring.bundle(),
              progress,
              clock,
              wiring.plan().unbounded(),
              stageName,
              mailbox,
              wiring.checkpointer())
          .run();
      // The coordinator must hear of a checkpoint this subtask took before it hears it finished.
      wiring.checkpointer().awaitUploads();
    } catch (Throwable t) {
      failure = t;
    } finally {
      failure = wiring.close(failure);
      CreditWaits.stopRecording();
    }
    // Also after a failure: counted elements are attempted, like a user counter's increments.
    wiring.outputs().publishElementCounts();
    SubtaskSummary summary =
        new SubtaskSummary(metrics, wiring.outputs().elementsSent())
            .withFailedStep(wiring.chain().failedStep().of(failure))
            .withIo(io());
    // The subtask is over: a cancel's interrupt must not break the report of its end.
    Thread.interrupted();
    if (failure == null) {
      listener.taskFinished(id, summary);
    } else {
      listener.taskFailed(id, rootUserCause(failure), summary);
    }
  }

  private boolean restoredFinished() {
    dev.weir.checkpoint.proto.SubtaskRestore restore = deployment.restore();
    return restore != null && restore.getFinished();
  }

  /** The stage's name and the transforms fused into it, for messages. */
  private static String stageDescription(StagePlan stage) {
    StringBuilder sb = new StringBuilder(stage.name());
    if (!stage.operators().isEmpty()) {
      sb.append(" [");
      for (int i = 0; i < stage.operators().size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(stage.operators().get(i).name());
      }
      sb.append(']');
    }
    return sb.toString();
  }

  /**
   * Checkpoint {@code checkpointId} is to start here; taken at the next bundle end if this is a
   * source subtask, ignored otherwise (barriers start it there). Called from other threads.
   */
  void triggerCheckpoint(long checkpointId) {
    mailbox.trigger(checkpointId);
  }

  /** Checkpoint {@code checkpointId} ended; the subtask's thread takes it up. Any thread. */
  void checkpointOutcome(long checkpointId, boolean completed, boolean reuploadSharedFiles) {
    mailbox.outcome(checkpointId, completed, reuploadSharedFiles);
  }

  TaskId taskId() {
    return deployment.taskId();
  }

  /** Where this subtask is now; called from other threads. */
  SubtaskProgress progress() {
    StagePlan stage = wiring.stage();
    SubtaskTime time = wiring.time();
    String description = this.description;
    if (description == null && stage != null) {
      // Built once: the stage does not change, and readers ask often (the web, the no-progress
      // check).
      description = stageDescription(stage);
      this.description = description;
    }
    return new SubtaskProgress(
        deployment.taskId(),
        description == null ? "?" : description,
        progress.handledEvents() + wiring.outputs().eventsSent(),
        progress.busy(),
        time == null ? BoundedWindow.TIMESTAMP_MIN_VALUE : time.inputWatermark(),
        time == null ? BoundedWindow.TIMESTAMP_MIN_VALUE : time.outputWatermark(),
        time == null || time.testClock() ? null : progress.nextProcessingTimer(),
        // Its cells are atomic and its maps concurrent: read while the subtask's thread counts.
        MonitoringInfoBytes.encode(metrics),
        wiring.sourceWork())
        .withTimeUse(progress.elapsedMillis(), progress.idleMillis(), creditWaits.millis())
        .withIo(io());
  }

  private SubtaskIo io() {
    long[] sent = wiring.outputs().recordsAndBytesSent();
    // A source's reads are its input: they count as records in (their bytes are not known).
    return new SubtaskIo(
        progress.recordsIn() + wiring.elementsRead(), progress.bytesIn(), sent[0], sent[1]);
  }

  /** The exception to report: user code's own exception rather than Beam's wrapper. */
  private static Throwable rootUserCause(Throwable t) {
    Throwable current = t;
    while (current instanceof org.apache.beam.sdk.util.UserCodeException
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
