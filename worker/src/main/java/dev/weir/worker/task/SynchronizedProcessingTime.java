package dev.weir.worker.task;

import java.util.Arrays;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A subtask's synchronized processing time on the wall clock, Beam's {@code
 * SYNCHRONIZED_PROCESSING_TIME}: the processing time that every upstream subtask has reached, like
 * a watermark in the processing-time domain. A subtask's input time is the minimum of what its open
 * input channels reported and its own clock; what it reports downstream is its input time held
 * back by its own pending processing-time timers, so a downstream continuation trigger cannot fire
 * before the upstream firings of the same processing time have been delivered. Channels are ordered
 * and the time travels in-band, so everything a producer sent before reporting a time arrives
 * before that report.
 *
 * <p>A source subtask (no input channels) is synchronized with its own clock. The subtask's thread
 * moves it; the operators' supplier may read it.
 */
final class SynchronizedProcessingTime {
  private final Instant[] channelTimes;
  private final boolean[] channelEnded;
  // Per channel: the arrival of data after the channel released, until a watermark follows it.
  private final Instant[] heldUntilWatermark;
  private final boolean[] watermarkAfterData;
  private volatile Instant current = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private Instant reported = BoundedWindow.TIMESTAMP_MIN_VALUE;

  SynchronizedProcessingTime(int channels) {
    channelTimes = new Instant[channels];
    channelEnded = new boolean[channels];
    heldUntilWatermark = new Instant[channels];
    watermarkAfterData = new boolean[channels];
    Arrays.fill(channelTimes, BoundedWindow.TIMESTAMP_MIN_VALUE);
  }

  /** Input channel {@code channel}'s producer reported that it has reached {@code time}. */
  synchronized void channelReached(int channel, Instant time) {
    if (time.isAfter(channelTimes[channel])) {
      channelTimes[channel] = time;
    }
  }

  /** Input channel {@code channel} ended: it no longer holds the time back. */
  synchronized void channelEnded(int channel) {
    channelEnded[channel] = true;
  }

  /** The minimum of {@code now} and the open channels' times. */
  synchronized Instant inputBound(Instant now) {
    Instant min = now;
    for (int i = 0; i < channelTimes.length; i++) {
      if (channelEnded[i]) {
        continue;
      }
      if (channelTimes[i].isBefore(min)) {
        min = channelTimes[i];
      }
      if (heldUntilWatermark[i] != null && heldUntilWatermark[i].isBefore(min)) {
        min = heldUntilWatermark[i];
      }
    }
    return min;
  }

  /**
   * Moves the time of this subtask's operators to {@link #inputBound}, never backwards. Returns
   * true if it moved.
   */
  synchronized boolean advance(Instant now) {
    Instant bound = inputBound(now);
    if (bound.isAfter(current)) {
      current = bound;
      return true;
    }
    return false;
  }

  /** The synchronized processing time of this subtask's operators. */
  Instant current() {
    return current;
  }

  /**
   * Data arrived at {@code arrival} on channel {@code channel}. On a channel that released its
   * hold, that is what the producer's final event-time timers emitted (a final pane, say), and the
   * producer's watermark follows it: the channel holds the time at the arrival again until the
   * subtask's input watermark has reached that watermark (see {@link #watermarkProcessed}), so a
   * continuation trigger set for the data (at the local processing time) cannot fire before the
   * watermark closes the window with an on-time pane.
   */
  synchronized void dataFrom(int channel, Instant arrival) {
    if (!channelTimes[channel].isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
      if (heldUntilWatermark[channel] == null) {
        heldUntilWatermark[channel] = arrival;
      }
      watermarkAfterData[channel] = false;
    }
  }

  /** A watermark came on channel {@code channel}, after any data before it. */
  synchronized void watermarkFrom(int channel) {
    if (heldUntilWatermark[channel] != null) {
      watermarkAfterData[channel] = true;
    }
  }

  /**
   * The subtask's input watermark has reached what channel {@code channel} sent, and the timers it
   * passed have fired: a hold for data before that watermark ends.
   */
  synchronized void watermarkProcessed(int channel) {
    if (watermarkAfterData[channel]) {
      heldUntilWatermark[channel] = null;
      watermarkAfterData[channel] = false;
    }
  }

  /** Whether every input channel has ended or released its hold (reported the end of time). */
  synchronized boolean inputsReleased() {
    for (int i = 0; i < channelTimes.length; i++) {
      if (!channelEnded[i]
          && (channelTimes[i].isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)
              || heldUntilWatermark[i] != null)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The time to report downstream, given the earliest processing-time or synchronized timer still
   * pending here (null if none): the current time held back by that timer, or null if that is not
   * after what was reported last.
   */
  @Nullable Instant toReport(@Nullable Instant earliestPendingTimer) {
    return toReport(current, earliestPendingTimer);
  }

  /** Like {@link #toReport(Instant)}, for a time other than the current one. */
  synchronized @Nullable Instant toReport(Instant time, @Nullable Instant earliestPendingTimer) {
    Instant held =
        earliestPendingTimer != null && earliestPendingTimer.isBefore(time)
            ? earliestPendingTimer
            : time;
    if (held.isAfter(reported)) {
      reported = held;
      return held;
    }
    return null;
  }
}
