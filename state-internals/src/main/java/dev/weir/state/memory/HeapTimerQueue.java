package dev.weir.state.memory;

import dev.weir.state.KeyedTimer;
import dev.weir.state.StateKey;
import dev.weir.state.TimerStore;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.sdk.state.TimeDomain;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Pending timers on the heap, indexed twice: by {@link TimerSlot} so set replaces and delete needs
 * no scan, and per domain by (timestamp, slot) so the next due timer is the first entry. Each
 * pending timer's output timestamp is registered as a watermark hold.
 */
final class HeapTimerQueue implements TimerStore {
  private static final class Pending {
    final TimerSlot slot;
    final int keyGroup;
    final TimerData timer;

    Pending(TimerSlot slot, int keyGroup, TimerData timer) {
      this.slot = slot;
      this.keyGroup = keyGroup;
      this.timer = timer;
    }
  }

  /** Receives one pending timer for a snapshot. */
  interface TimerVisitor {
    void accept(int keyGroup, byte[] keyBytes, TimerData timer);
  }

  private static final Comparator<Pending> BY_TIME =
      Comparator.<Pending, Instant>comparing(p -> p.timer.getTimestamp())
          .thenComparing(p -> p.slot, TimerSlot.ORDER);

  private final Map<TimerSlot, Pending> byId = new HashMap<>();
  private final EnumMap<TimeDomain, TreeSet<Pending>> byTime = new EnumMap<>(TimeDomain.class);
  private final HoldCounts holds;

  HeapTimerQueue(HoldCounts holds) {
    this.holds = holds;
    for (TimeDomain domain : TimeDomain.values()) {
      byTime.put(domain, new TreeSet<>(BY_TIME));
    }
  }

  @Override
  public void set(StateKey key, TimerData timer) {
    TimerSlot slot =
        new TimerSlot(
            key.bytes(),
            timer.getNamespace().stringKey(),
            timer.getTimerId(),
            timer.getTimerFamilyId(),
            timer.getDomain());
    Pending next = new Pending(slot, key.keyGroup(), timer);
    Pending previous = byId.put(slot, next);
    if (previous != null) {
      byTime.get(previous.slot.domain).remove(previous);
    }
    byTime.get(slot.domain).add(next);
    holds.replace(
        previous == null ? null : previous.timer.getOutputTimestamp(), timer.getOutputTimestamp());
  }

  @Override
  public void delete(
      StateKey key,
      StateNamespace namespace,
      String timerId,
      String timerFamilyId,
      TimeDomain domain) {
    Pending removed =
        byId.remove(
            new TimerSlot(key.bytes(), namespace.stringKey(), timerId, timerFamilyId, domain));
    if (removed != null) {
      byTime.get(domain).remove(removed);
      holds.replace(removed.timer.getOutputTimestamp(), null);
    }
  }

  @Nullable
  KeyedTimer pollDue(TimeDomain domain, Instant upTo) {
    TreeSet<Pending> queue = byTime.get(domain);
    if (queue.isEmpty() || queue.first().timer.getTimestamp().isAfter(upTo)) {
      return null;
    }
    Pending due = queue.pollFirst();
    byId.remove(due.slot);
    holds.replace(due.timer.getOutputTimestamp(), null);
    return new KeyedTimer(due.slot.keyBytes, due.timer);
  }

  /** Visits every pending timer, in no particular order. */
  void forEach(TimerVisitor action) {
    for (Pending pending : byId.values()) {
      action.accept(pending.keyGroup, pending.slot.keyBytes, pending.timer);
    }
  }

  @Nullable
  Instant nextTimestamp(TimeDomain domain) {
    TreeSet<Pending> queue = byTime.get(domain);
    return queue.isEmpty() ? null : queue.first().timer.getTimestamp();
  }
}
