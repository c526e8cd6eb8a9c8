package dev.weir.worker.operators;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 *
 * <p>ReduceFnRunner sets a window's garbage-collection timer again for every value, to the same
 * time; each set is a RocksDB read and write. So a timer set exactly as it was already set during
 * the current key's call is not passed on again. What was set is forgotten when the key changes
 * ({@link #forgetSetTimers}, called by the operator) and at any delete, so a timer that fired or
 * was deleted in between is set again.
 */
final class ReduceFnTimers implements TimerInternals {
  private final TimerInternals delegate;
  // Timers passed on since the last forgetSetTimers(), by identity, as last passed on.
  private final Map<List<Object>, TimerData> setSinceKeyChanged = new HashMap<>();

  ReduceFnTimers(TimerInternals delegate) {
    this.delegate = delegate;
  }

  /** The current key changed, or timers fired: the next set of every timer is passed on. */
  void forgetSetTimers() {
    setSinceKeyChanged.clear();
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
    setTimer(
        TimerData.of(timerId, timerFamilyId, namespace, target, outputTimestamp, timeDomain));
  }

  @Override
  @SuppressWarnings("deprecation")
  public void setTimer(TimerData timer) {
    if (timer.getDeleted()) {
      setSinceKeyChanged.clear();
      delegate.setTimer(timer);
      return;
    }
    TimerData held =
        TimerData.of(
            timer.getTimerId(),
            timer.getTimerFamilyId(),
            timer.getNamespace(),
            timer.getTimestamp(),
            holdFor(timer.getDomain(), timer.getOutputTimestamp()),
            timer.getDomain());
    List<Object> identity =
        List.of(held.getNamespace(), held.getTimerId(), held.getTimerFamilyId(), held.getDomain());
    if (!held.equals(setSinceKeyChanged.put(identity, held))) {
      delegate.setTimer(held);
    }
  }

  @Override
  public void deleteTimer(
      StateNamespace namespace, String timerId, String timerFamilyId, TimeDomain timeDomain) {
    setSinceKeyChanged.clear();
    delegate.deleteTimer(namespace, timerId, timerFamilyId, timeDomain);
  }

  @Override
  @Deprecated
  public void deleteTimer(StateNamespace namespace, String timerId, String timerFamilyId) {
    setSinceKeyChanged.clear();
    delegate.deleteTimer(namespace, timerId, timerFamilyId);
  }

  @Override
  @Deprecated
  public void deleteTimer(TimerData timerKey) {
    setSinceKeyChanged.clear();
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
