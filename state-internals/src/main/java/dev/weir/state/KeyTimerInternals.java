package dev.weir.state;

import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.sdk.state.TimeDomain;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Beam's {@link TimerInternals} for one key, over a backend's {@link TimerStore} and {@link
 * BackendClocks}. Holds nothing itself, so creating one per element is cheap.
 */
public final class KeyTimerInternals implements TimerInternals {
  private final StateKey key;
  private final TimerStore timers;
  private final BackendClocks clocks;

  public KeyTimerInternals(StateKey key, TimerStore timers, BackendClocks clocks) {
    this.key = key;
    this.timers = timers;
    this.clocks = clocks;
  }

  @Override
  public void setTimer(
      StateNamespace namespace,
      String timerId,
      String timerFamilyId,
      Instant target,
      Instant outputTimestamp,
      TimeDomain timeDomain) {
    timers.set(
        key,
        TimerData.of(timerId, timerFamilyId, namespace, target, outputTimestamp, timeDomain));
  }

  @Override
  @SuppressWarnings("deprecation")
  public void setTimer(TimerData timerData) {
    if (timerData.getDeleted()) {
      deleteTimer(timerData);
    } else {
      timers.set(key, timerData);
    }
  }

  @Override
  public void deleteTimer(
      StateNamespace namespace, String timerId, String timerFamilyId, TimeDomain timeDomain) {
    timers.delete(key, namespace, timerId, timerFamilyId, timeDomain);
  }

  /** Without a domain the timer may be in any of them; ids are unique per key and namespace. */
  @Override
  @Deprecated
  public void deleteTimer(StateNamespace namespace, String timerId, String timerFamilyId) {
    for (TimeDomain domain : TimeDomain.values()) {
      timers.delete(key, namespace, timerId, timerFamilyId, domain);
    }
  }

  @Override
  @Deprecated
  public void deleteTimer(TimerData timerKey) {
    timers.delete(
        key,
        timerKey.getNamespace(),
        timerKey.getTimerId(),
        timerKey.getTimerFamilyId(),
        timerKey.getDomain());
  }

  @Override
  public Instant currentProcessingTime() {
    return clocks.processingTime();
  }

  /**
   * The processing time that every upstream subtask has passed, as the worker last set it: at most
   * the local processing time.
   */
  @Override
  public @Nullable Instant currentSynchronizedProcessingTime() {
    return clocks.synchronizedProcessingTime();
  }

  @Override
  public Instant currentInputWatermarkTime() {
    return clocks.inputWatermark();
  }

  @Override
  public @Nullable Instant currentOutputWatermarkTime() {
    return clocks.outputWatermark();
  }
}
