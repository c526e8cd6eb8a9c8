package dev.weir.worker.task;

import java.util.function.Supplier;
import org.joda.time.Instant;

/**
 * What a subtask does once all its input has ended: fires every remaining timer, then ends its
 * output.
 *
 * <p>On the wall clock, input has ended and only timers are left: processing time jumps to each
 * next timer instead of waiting for it, so a bounded job's buffered output is not lost and
 * splittable DoFns resume at once. A test clock stays where the test left it, as on Beam's
 * DirectRunner, so its pending processing-time timers never fire.
 *
 * <p>With its input ended the subtask is a source of its own: a splittable DoFn that reads a
 * bounded source does all its reading here, from its timers. So it takes checkpoint triggers
 * between timers, as a source does between bundles; otherwise no checkpoint could complete until
 * the read was over.
 */
final class FinalTimers {
  private static final int MAX_FINAL_TIMER_ROUNDS = 1_000_000;

  private final SubtaskTime time;
  private final OperatorChain chain;
  private final CurrentBundle bundle;
  private final ProgressSignals progress;
  private final Supplier<Instant> clock;
  private final boolean unbounded;
  private final String stageName;
  private final SubtaskCheckpointer checkpointer;
  private final CheckpointMailbox mailbox;

  FinalTimers(
      SubtaskTime time,
      OperatorChain chain,
      CurrentBundle bundle,
      ProgressSignals progress,
      Supplier<Instant> clock,
      boolean unbounded,
      String stageName,
      SubtaskCheckpointer checkpointer,
      CheckpointMailbox mailbox) {
    this.time = time;
    this.chain = chain;
    this.bundle = bundle;
    this.progress = progress;
    this.clock = clock;
    this.unbounded = unbounded;
    this.stageName = stageName;
    this.checkpointer = checkpointer;
    this.mailbox = mailbox;
  }

  void run() throws InterruptedException {
    time.endInputWatermark();
    if (!time.testClock()) {
      time.endSynchronizedTime();
      drainProcessingTimers();
    }
    bundle.end();
    time.endOutput();
  }

  /**
   * Input has ended; processing-time timers are left. A bounded job jumps processing time to each
   * next timer instead of waiting, so buffered output is not lost and the job ends soon. In an
   * unbounded job (a splittable DoFn reading an unbounded source) time follows the wall clock, so
   * resume delays and user timers mean what they say.
   */
  private void drainProcessingTimers() throws InterruptedException {
    boolean fastForward = !unbounded;
    for (int round = 0; ; round++) {
      Instant next = chain.earliestProcessingTimer();
      progress.nextProcessingTimer(next);
      if (next == null) {
        return;
      }
      if (fastForward && round == MAX_FINAL_TIMER_ROUNDS) {
        throw new IllegalStateException(
            "Input has ended but processing-time timers of stage '"
                + stageName
                + "' keep setting new timers after "
                + round
                + " rounds; a timer that always re-arms itself never lets a bounded job end");
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      mailbox.drain(checkpointer, true);
      Instant now = clock.get();
      if (!next.isBefore(now) && !fastForward) {
        // Wait for the wall clock, a little at a time so cancellation is noticed.
        progress.waiting();
        Thread.sleep(Math.min(InputLoop.IDLE_POLL_MILLIS, next.getMillis() - now.getMillis() + 1));
        progress.working();
        continue;
      }
      // A timer is due once time is past it. Every input has ended, so nothing upstream holds
      // synchronized time back.
      time.advanceWallClock(next.isBefore(now) ? now : next.plus(1));
      time.propagateWatermark();
      progress.eventHandled();
    }
  }
}
