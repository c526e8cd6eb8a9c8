package dev.weir.state;

import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The times a backend's {@code TimerInternals} report, as last set by the worker. They start at the
 * beginning of time rather than the wall clock: time is injected (invariant 9), never read here.
 */
public final class BackendClocks {
  private Instant inputWatermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private @Nullable Instant outputWatermark;
  private Instant processingTime = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private Instant synchronizedProcessingTime = BoundedWindow.TIMESTAMP_MIN_VALUE;

  public void set(
      Instant inputWatermark,
      @Nullable Instant outputWatermark,
      Instant processingTime,
      Instant synchronizedProcessingTime) {
    this.inputWatermark = inputWatermark;
    this.outputWatermark = outputWatermark;
    this.processingTime = processingTime;
    this.synchronizedProcessingTime = synchronizedProcessingTime;
  }

  public Instant inputWatermark() {
    return inputWatermark;
  }

  public @Nullable Instant outputWatermark() {
    return outputWatermark;
  }

  public Instant processingTime() {
    return processingTime;
  }

  public Instant synchronizedProcessingTime() {
    return synchronizedProcessingTime;
  }
}
