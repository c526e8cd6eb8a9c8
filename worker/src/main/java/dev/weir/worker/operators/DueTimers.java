package dev.weir.worker.operators;

import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedTimer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.TimerInternals.TimerData;
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

  /**
   * Takes up to {@code max} due timers, in timestamp order, and groups them by key: each key's
   * timers in the order they were due, the keys in the order of their first timer. Runners-core's
   * ReduceFnRunner expects a key's due timers in one call and reads the key's window set once
   * for them. A timer set while a round fires is taken by the next round.
   */
  static Collection<KeyTimers> pollByKey(
      KeyedStateBackend backend, TimeDomain domain, Instant time, int max) {
    Map<ByteBuffer, KeyTimers> byKey = new LinkedHashMap<>();
    KeyedTimer due;
    for (int taken = 0; taken < max && (due = poll(backend, domain, time)) != null; taken++) {
      byte[] keyBytes = due.keyBytes();
      byKey
          .computeIfAbsent(ByteBuffer.wrap(keyBytes), k -> new KeyTimers(keyBytes))
          .timers
          .add(due.timer());
    }
    return byKey.values();
  }

  /** The due timers of one key. */
  static final class KeyTimers {
    final byte[] keyBytes;
    final List<TimerData> timers = new ArrayList<>();

    private KeyTimers(byte[] keyBytes) {
      this.keyBytes = keyBytes;
    }
  }
}
