package dev.weir.worker.task;

import dev.weir.worker.operators.SourceControl;
import java.util.function.Supplier;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * What a source subtask (one without input channels) lets its source operators do besides
 * emitting: move its time, end bundles, and on a test clock wait for the job to go quiet. At the
 * end of each bundle it takes the checkpoint triggers and outcomes other threads left for it: a
 * source's checkpoint starts between its bundles.
 */
final class SubtaskSourceControl implements SourceControl {
  private static final java.time.Duration QUIESCENCE_WAIT = java.time.Duration.ofSeconds(60);
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(SubtaskSourceControl.class);

  private final SubtaskTime time;
  private final CurrentBundle bundle;
  private final ProgressSignals progress;
  // Only on a test clock.
  private final @Nullable JobActivity activity;
  private final Supplier<Instant> clock;
  private final String stageName;
  private final SubtaskCheckpointer checkpointer;
  private final CheckpointMailbox mailbox;

  SubtaskSourceControl(
      SubtaskTime time,
      CurrentBundle bundle,
      ProgressSignals progress,
      @Nullable JobActivity activity,
      Supplier<Instant> clock,
      String stageName,
      SubtaskCheckpointer checkpointer,
      CheckpointMailbox mailbox) {
    this.time = time;
    this.bundle = bundle;
    this.progress = progress;
    this.activity = activity;
    this.clock = clock;
    this.stageName = stageName;
    this.checkpointer = checkpointer;
    this.mailbox = mailbox;
  }

  @Override
  public void advanceWatermark(Instant watermark) {
    try {
      time.advanceInputWatermark(watermark);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SubtaskInterruptedException();
    }
  }

  @Override
  public void endBundleOfSource() throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    bundle.end();
    if (!time.testClock()) {
      time.advanceWallClock(clock.get());
      bundle.end();
    }
    mailbox.drain(checkpointer, true);
    progress.eventHandled();
  }

  @Override
  public void awaitQuiescence() throws InterruptedException {
    bundle.end();
    long deadline = System.nanoTime() + QUIESCENCE_WAIT.toNanos();
    while (!activity.quiescent()) {
      // Between bundles, so a checkpoint may start here; it must: a consumer aligning on its
      // barrier holds back what another producer sent after theirs, and the job is never quiet.
      mailbox.drain(checkpointer, true);
      if (System.nanoTime() > deadline) {
        LOG.warn(
            "Stage '{}' waited {} for the job to process what came before a TestStream time"
                + " advance; going on",
            stageName,
            QUIESCENCE_WAIT);
        return;
      }
      Thread.sleep(1);
    }
  }

  @Override
  public void advanceProcessingTime(Instant processingTime) {
    try {
      time.advanceTestClock(processingTime);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SubtaskInterruptedException();
    }
  }
}
