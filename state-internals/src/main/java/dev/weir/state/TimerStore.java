package dev.weir.state;

import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.sdk.state.TimeDomain;

/**
 * Pending timers of a backend, addressed by identity: key bytes, namespace, timer id, timer family
 * and domain. Setting a timer with an existing identity replaces it.
 */
public interface TimerStore {
  void set(StateKey key, TimerData timer);

  void delete(
      StateKey key, StateNamespace namespace, String timerId, String timerFamilyId, TimeDomain domain);
}
