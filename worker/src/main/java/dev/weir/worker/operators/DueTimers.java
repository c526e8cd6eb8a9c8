package dev.weir.worker.operators;

import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedTimer;
import org.apache.beam.sdk.state.TimeDomain;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Which timers are due: those strictly before the time. Beam's triggers only fire once time is
 * after their target ({@code isAfter}), so a timer taken when time equals its timestamp would be
 * consumed without firing; runners-core's in-memory timers use the same strict rule.
 */
final class DueTimers {
  private DueTimers() {}

  static @Nullable KeyedTimer poll(KeyedStateBackend backend, TimeDomain domain, Instant time) {
    return backend.pollDueTimer(domain, time.minus(1));
  }
}
