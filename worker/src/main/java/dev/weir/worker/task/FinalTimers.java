package dev.weir.worker.task;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.joda.time.Instant;

/**
 * What a subtask does once all its input has ended: fires every remaining timer, then ends its
 * output. If that goes on for long, it takes checkpoints when the coordinator triggers them, as a
 * source does: with its producers finished, no barrier would start one.
 *
 * <p>On the wall clock, input has ended and only timers are left: processing time jumps to each
 * next timer instead of waiting for it, so a bounded job's buffered output is not lost and
 * splittable DoFns resume at once. A test clock stays where the test left it, as on Beam's
 * DirectRunner, so its pending processing-time timers never fire.
 */
final class FinalTimers {
  private static final int MAX_FINAL_TIMER_ROUNDS = 1_000_000;

  /**
   * How long after its input ended a subtask still running timers starts taking checkpoint
   * triggers. One that ends sooner needs no checkpoint of its own (the coordinator counts a
   * finished subtask as acknowledged), and most do: a snapshot and upload (RocksDB by default) there
   * would only delay the end of a short job.
   */
  static final long TRIGGER_GRACE_MILLIS = 200;

  private final SubtaskTime time;
  private final OperatorChain chain;
  private final CurrentBundle bundle;
  private final ProgressSignals progress;
  private final Supplier<Instant> clock;
  private final boolean unbounded;
  private final String stageName;
  private final CheckpointMailbox mailbox;
  private final SubtaskCheckpointer checkpointer;
  private long inputEndedNanos;
  private boolean takingTriggers;

  FinalTimers(
      SubtaskTime time,
      OperatorChain chain,
      CurrentBundle bundle,
      ProgressSignals progress,
      Supplier<Instant> clock,
      boolean unbounded,
      String stageName,
      CheckpointMailbox mailbox,
      SubtaskCheckpointer checkpointer) {
    this.time = time;
    this.chain = chain;
    this.bundle = bundle;
    this.progress = progress;
    this.clock = clock;
    this.unbounded = unbounded;
    this.stageName = stageName;
    this.mailbox = mailbox;
    this.checkpointer = checkpointer;
  }

  void run() throws InterruptedException {
    inputEndedNanos = System.nanoTime();
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
      takeTriggers();
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

  /**
   * No barrier reaches this subtask any more, but its timers may go on for long (an unbounded
   * splittable DoFn after Impulse): once it has gone on for {@link #TRIGGER_GRACE_MILLIS}, it takes
   * the coordinator's triggers itself, as a source does.
   */
  private void takeTriggers() throws InterruptedException {
    if (takingTriggers) {
      mailbox.drain(checkpointer, true);
    } else if (System.nanoTime() - inputEndedNanos
        >= TimeUnit.MILLISECONDS.toNanos(TRIGGER_GRACE_MILLIS)) {
      takingTriggers = true;
      mailbox.inputEnded(checkpointer);
    }
  }
}
