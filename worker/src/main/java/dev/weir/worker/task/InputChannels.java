package dev.weir.worker.task;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollectionView;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * What a subtask knows of each of its input channels, by gate index: the watermark and (on a test
 * clock) the processing time the channel's producer reported, and whether it has ended. An ended
 * channel's watermark is at the end of time, so it no longer holds anything back.
 *
 * <p>The subtask's input watermark is the minimum over all channels, side inputs included; a side
 * input's own watermark is the minimum over the channels of its edge. Only the subtask's thread
 * uses this.
 */
final class InputChannels {
  private final @Nullable PCollectionView<?>[] sideInputs;
  private final Instant[] watermarks;
  private final Instant[] processingTimes;
  private final boolean[] ended;
  // By side input tag: the watermark last given to the operators reading it.
  private final Map<String, Instant> sideInputWatermarks = new HashMap<>();
  private int open;

  /**
   * Channels whose data is the side input {@code sideInputs[i]}, or main input where that is
   * null.
   */
  InputChannels(@Nullable PCollectionView<?>[] sideInputs) {
    int n = sideInputs.length;
    this.sideInputs = sideInputs.clone();
    watermarks = new Instant[n];
    processingTimes = new Instant[n];
    ended = new boolean[n];
    open = n;
    Arrays.fill(watermarks, BoundedWindow.TIMESTAMP_MIN_VALUE);
    Arrays.fill(processingTimes, BoundedWindow.TIMESTAMP_MIN_VALUE);
    for (PCollectionView<?> view : sideInputs) {
      if (view != null) {
        sideInputWatermarks.put(view.getTagInternal().getId(), BoundedWindow.TIMESTAMP_MIN_VALUE);
      }
    }
  }

  int size() {
    return ended.length;
  }

  /** The channels that have not ended yet. */
  int openCount() {
    return open;
  }

  /** The side input channel {@code channel} carries, or null for main input. */
  @Nullable PCollectionView<?> sideInput(int channel) {
    return sideInputs[channel];
  }

  Instant watermark(int channel) {
    return watermarks[channel];
  }

  /** Channel {@code channel} reported {@code watermark}; true if its watermark moved. */
  boolean watermarkReached(int channel, Instant watermark) {
    if (watermark.isAfter(watermarks[channel])) {
      watermarks[channel] = watermark;
      return true;
    }
    return false;
  }

  /** The minimum watermark over all channels, ended ones at the end of time. */
  Instant inputWatermark() {
    Instant min = BoundedWindow.TIMESTAMP_MAX_VALUE;
    for (Instant wm : watermarks) {
      if (wm.isBefore(min)) {
        min = wm;
      }
    }
    return min;
  }

  /**
   * The watermark of the side input channel {@code channel} carries (the minimum over that side
   * input's channels) if it moved past what this method returned for it before; null otherwise,
   * and for a main-input channel.
   */
  @Nullable Instant sideInputWatermarkAdvanced(int channel) {
    PCollectionView<?> view = sideInputs[channel];
    if (view == null) {
      return null;
    }
    String tag = view.getTagInternal().getId();
    Instant sideWm = BoundedWindow.TIMESTAMP_MAX_VALUE;
    for (int i = 0; i < sideInputs.length; i++) {
      if (sideInputs[i] != null
          && sideInputs[i].getTagInternal().getId().equals(tag)
          && watermarks[i].isBefore(sideWm)) {
        sideWm = watermarks[i];
      }
    }
    if (sideWm.isAfter(sideInputWatermarks.get(tag))) {
      sideInputWatermarks.put(tag, sideWm);
      return sideWm;
    }
    return null;
  }

  /** On a test clock: channel {@code channel} reported {@code time}; true if its time moved. */
  boolean processingTimeReached(int channel, Instant time) {
    if (time.isAfter(processingTimes[channel])) {
      processingTimes[channel] = time;
      return true;
    }
    return false;
  }

  /** On a test clock: the minimum over the open channels; null if none is open. */
  @Nullable Instant testClockTime() {
    Instant min = null;
    for (int i = 0; i < processingTimes.length; i++) {
      if (!ended[i] && (min == null || processingTimes[i].isBefore(min))) {
        min = processingTimes[i];
      }
    }
    return min;
  }

  /**
   * Channel {@code channel} delivered its end of input: its watermark goes to the end of time.
   * Returns false if it had ended before.
   */
  boolean end(int channel) {
    if (ended[channel]) {
      return false;
    }
    ended[channel] = true;
    open--;
    watermarks[channel] = BoundedWindow.TIMESTAMP_MAX_VALUE;
    return true;
  }

  boolean ended(int channel) {
    return ended[channel];
  }
}
