package dev.weir.state.memory;

import dev.weir.state.BackendClocks;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyTimerInternals;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedTimer;
import dev.weir.state.StateKey;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.sdk.state.TimeDomain;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Keyed state and timers on the heap. Meant for unit tests and as the initial default; it keeps
 * every key it has seen, so memory grows with the number of keys.
 */
public final class InMemoryKeyedStateBackend implements KeyedStateBackend {
  private final KeyGroupRange keyGroupRange;
  private final Map<StateKey, HeapKeyStateInternals> keys = new HashMap<>();
  private final HoldCounts holds = new HoldCounts();
  private final HeapTimerQueue timers = new HeapTimerQueue(holds);
  private final BackendClocks clocks = new BackendClocks();
  private boolean closed;

  public InMemoryKeyedStateBackend(KeyGroupRange keyGroupRange) {
    this.keyGroupRange = keyGroupRange;
  }

  @Override
  public KeyGroupRange keyGroupRange() {
    return keyGroupRange;
  }

  @Override
  public StateInternals stateInternals(StateKey key) {
    checkOwned(key);
    return keys.computeIfAbsent(key, k -> new HeapKeyStateInternals(k.key(), holds));
  }

  @Override
  public TimerInternals timerInternals(StateKey key) {
    checkOwned(key);
    return new KeyTimerInternals(key, timers, clocks);
  }

  @Override
  public void setTimes(
      Instant inputWatermark,
      @Nullable Instant outputWatermark,
      Instant processingTime,
      Instant synchronizedProcessingTime) {
    clocks.set(inputWatermark, outputWatermark, processingTime, synchronizedProcessingTime);
  }

  @Override
  public @Nullable KeyedTimer pollDueTimer(TimeDomain domain, Instant upTo) {
    checkOpen();
    return timers.pollDue(domain, upTo);
  }

  @Override
  public @Nullable Instant nextTimerTimestamp(TimeDomain domain) {
    checkOpen();
    return timers.nextTimestamp(domain);
  }

  @Override
  public Instant minWatermarkHold() {
    checkOpen();
    return holds.min();
  }

  @Override
  public void close() {
    closed = true;
    keys.clear();
  }

  /** A key outside the range means the exchange routed it to the wrong subtask: fail loudly. */
  private void checkOwned(StateKey key) {
    checkOpen();
    if (!keyGroupRange.contains(key.keyGroup())) {
      throw new IllegalArgumentException(
          "Key group " + key.keyGroup() + " is not in this backend's " + keyGroupRange);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("State backend is closed");
    }
  }
}
