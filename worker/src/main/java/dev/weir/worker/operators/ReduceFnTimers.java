package dev.weir.worker.operators;

import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The timers ReduceFnRunner gets. It keeps its watermark holds in its own state and sets its
 * timers with the output timestamp equal to the firing time, which for a processing-time timer
 * (a trigger's delay) is a processing time: held as an event time it would pin the operator's
 * output watermark near that clock, at the start of time under a TestStream. So processing-time
 * timers go to the backend with no hold (an output timestamp at the end of time); event-time ones
 * are passed on unchanged.
 */
final class ReduceFnTimers implements TimerInternals {
  private final TimerInternals delegate;

  ReduceFnTimers(TimerInternals delegate) {
    this.delegate = delegate;
  }

  private static Instant holdFor(TimeDomain domain, Instant outputTimestamp) {
    return domain == TimeDomain.EVENT_TIME ? outputTimestamp : BoundedWindow.TIMESTAMP_MAX_VALUE;
  }

  @Override
  public void setTimer(
      StateNamespace namespace,
      String timerId,
      String timerFamilyId,
      Instant target,
      Instant outputTimestamp,
      TimeDomain timeDomain) {
    delegate.setTimer(
        namespace,
        timerId,
        timerFamilyId,
        target,
        holdFor(timeDomain, outputTimestamp),
        timeDomain);
  }

  @Override
  @SuppressWarnings("deprecation")
  public void setTimer(TimerData timer) {
    if (timer.getDeleted()) {
      delegate.setTimer(timer);
      return;
    }
    delegate.setTimer(
        TimerData.of(
            timer.getTimerId(),
            timer.getTimerFamilyId(),
            timer.getNamespace(),
            timer.getTimestamp(),
            holdFor(timer.getDomain(), timer.getOutputTimestamp()),
            timer.getDomain()));
  }

  @Override
  public void deleteTimer(
      StateNamespace namespace, String timerId, String timerFamilyId, TimeDomain timeDomain) {
    delegate.deleteTimer(namespace, timerId, timerFamilyId, timeDomain);
  }

  @Override
  @Deprecated
  public void deleteTimer(StateNamespace namespace, String timerId, String timerFamilyId) {
    delegate.deleteTimer(namespace, timerId, timerFamilyId);
  }

  @Override
  @Deprecated
  public void deleteTimer(TimerData timerKey) {
    delegate.deleteTimer(timerKey);
  }

  @Override
  public Instant currentProcessingTime() {
    return delegate.currentProcessingTime();
  }

  @Override
  public @Nullable Instant currentSynchronizedProcessingTime() {
    return delegate.currentSynchronizedProcessingTime();
  }

  @Override
  public Instant currentInputWatermarkTime() {
    return delegate.currentInputWatermarkTime();
  }

  @Override
  public @Nullable Instant currentOutputWatermarkTime() {
    return delegate.currentOutputWatermarkTime();
  }
}
