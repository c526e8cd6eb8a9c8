package dev.weir.worker.operators;

import org.apache.beam.sdk.transforms.windowing.AfterAll;
import org.apache.beam.sdk.transforms.windowing.AfterEach;
import org.apache.beam.sdk.transforms.windowing.AfterFirst;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.Never;
import org.apache.beam.sdk.transforms.windowing.OrFinallyTrigger;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.TimestampTransform;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.joda.time.Duration;

/**
 * How long a trigger lets values wait, from the first one, before it could ask for a pane by
 * processing time while the input watermark stands before the end of every window: the shortest
 * {@code plusDelayOf} among the processing-time triggers that can be active then. A bounded input's
 * GroupByKey may hold its values for the end of the input that long: a processing-time pane is due
 * some time after its delay, never before, so holding within the slack withholds no pane that was
 * due.
 *
 * <p>Processing-time triggers that only become active once the watermark passes a window's end (a
 * late firing, or a later step of {@code AfterEach} after one that finishes only at the end of the
 * window) are no reason to hand values over early: a bounded input's watermark goes from the start
 * to the end of time at once. What is not known here counts as no slack.
 */
final class ProcessingTimeSlack {
  /** No processing-time pane can be due while the watermark stands before the windows' ends. */
  static final Duration UNLIMITED = new Duration(Long.MAX_VALUE);

  private ProcessingTimeSlack() {}

  /**
   * The slack of {@code trigger}: {@link #UNLIMITED} if none of its processing-time
   * triggers can fire before the end of a window, else the shortest delay that can (zero for an
   * aligned or synchronized processing-time trigger, or a trigger this does not know).
   */
  static Duration of(Trigger trigger) {
    if (trigger instanceof AfterProcessingTime) {
      return delayOf((AfterProcessingTime) trigger);
    }
    if (trigger instanceof DefaultTrigger
        || trigger instanceof AfterPane
        || trigger instanceof AfterWatermark.FromEndOfWindow
        || trigger instanceof Never.NeverTrigger) {
      return UNLIMITED;
    }
    if (trigger instanceof AfterWatermark.AfterWatermarkEarlyAndLate) {
      // Late firings start once the watermark is past the end of the window.
      return of(((AfterWatermark.AfterWatermarkEarlyAndLate) trigger).getEarlyTrigger());
    }
    if (trigger instanceof Repeatedly
        || trigger instanceof OrFinallyTrigger
        || trigger instanceof AfterFirst
        || trigger instanceof AfterAll) {
      // Every subtrigger is active from the start.
      return shortest(trigger.subTriggers().size(), trigger);
    }
    if (trigger instanceof AfterEach) {
      // A step is active once the steps before it finished.
      int active = 0;
      for (Trigger step : trigger.subTriggers()) {
        active++;
        if (finishesOnlyAfterEndOfWindow(step)) {
          break;
        }
      }
      return shortest(active, trigger);
    }
    return Duration.ZERO;
  }

  private static Duration shortest(int firstSubtriggers, Trigger trigger) {
    Duration shortest = UNLIMITED;
    for (Trigger sub : trigger.subTriggers().subList(0, firstSubtriggers)) {
      Duration slack = of(sub);
      if (slack.isShorterThan(shortest)) {
        shortest = slack;
      }
    }
    return shortest;
  }

  private static Duration delayOf(AfterProcessingTime trigger) {
    Duration delay = Duration.ZERO;
    for (TimestampTransform transform : trigger.getTimestampTransforms()) {
      if (!(transform instanceof TimestampTransform.Delay)) {
        // Aligned to a period: may be due at any moment.
        return Duration.ZERO;
      }
      delay = delay.plus(((TimestampTransform.Delay) transform).getDelay());
    }
    return delay;
  }

  /** True if {@code trigger} cannot finish while the watermark is before the window's end. */
  static boolean finishesOnlyAfterEndOfWindow(Trigger trigger) {
    if (trigger instanceof AfterWatermark.FromEndOfWindow
        || trigger instanceof AfterWatermark.AfterWatermarkEarlyAndLate
        || trigger instanceof DefaultTrigger
        || trigger instanceof Repeatedly
        || trigger instanceof Never.NeverTrigger) {
      return true;
    }
    if (trigger instanceof OrFinallyTrigger || trigger instanceof AfterFirst) {
      // Finishes when any subtrigger does.
      return trigger.subTriggers().stream()
          .allMatch(ProcessingTimeSlack::finishesOnlyAfterEndOfWindow);
    }
    if (trigger instanceof AfterAll || trigger instanceof AfterEach) {
      // Finishes when all subtriggers did.
      return trigger.subTriggers().stream()
          .anyMatch(ProcessingTimeSlack::finishesOnlyAfterEndOfWindow);
    }
    return false;
  }
}
