package dev.weir.state;

import java.nio.file.Path;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.sdk.state.TimeDomain;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The keyed state and timers of one operator in one subtask, for the key groups the subtask owns.
 *
 * <p>State and timers are addressed by a {@link StateKey}; implementations store by its canonical
 * bytes, prefixed by its key group. Timers are indexed both by identity (key, namespace, id,
 * family), so setting an existing timer replaces it and deleting needs no scan, and by time, so the
 * next due timer is found by a seek.
 *
 * <p>Not thread-safe: one subtask thread uses a backend.
 */
public interface KeyedStateBackend extends AutoCloseable {

  KeyGroupRange keyGroupRange();

  /** Beam state of one key. Cheap to call per element. */
  StateInternals stateInternals(StateKey key);

  /**
   * Beam timers of one key. The times it reports ({@code currentInputWatermarkTime()} etc.) are
   * the ones last given to {@link #setTimes}.
   */
  TimerInternals timerInternals(StateKey key);

  /**
   * Sets the clocks that {@link TimerInternals} report. Null output watermark = unknown. The
   * synchronized processing time is the processing time all upstream work has reached, at most
   * {@code processingTime}.
   */
  void setTimes(
      Instant inputWatermark,
      @Nullable Instant outputWatermark,
      Instant processingTime,
      Instant synchronizedProcessingTime);

  /**
   * Removes and returns the pending timer of {@code domain} with the smallest timestamp not after
   * {@code upTo} (ties broken by key bytes, then timer identity), or null if none is due.
   */
  @Nullable
  KeyedTimer pollDueTimer(TimeDomain domain, Instant upTo);

  /** The smallest timestamp of a pending timer in {@code domain}, or null if none. */
  @Nullable
  Instant nextTimerTimestamp(TimeDomain domain);

  /**
   * The earliest watermark hold: the minimum over every key's {@code WatermarkHoldState} and the
   * output timestamps of pending timers of any domain; {@code BoundedWindow.TIMESTAMP_MAX_VALUE} if
   * there is none. Must not scan all keys.
   */
  Instant minWatermarkHold();

  /**
   * Writes a snapshot of this backend to the directory {@code target}, which must not exist (its
   * parent must). The snapshot is consistent: it is the state and timers as of this call, and what
   * happens to the backend afterwards does not change it. It covers all keyed state of every key
   * group the backend owns — value, bag, combining, set, map, multimap, ordered list and watermark
   * hold cells of every namespace — and every pending timer of every domain with its timestamp and
   * output timestamp. The clocks of {@link #setTimes} are not part of it: the worker sets them
   * again after a restore.
   *
   * <p>State is stored as Beam coder bytes of each state's coders, never Java serialization, under
   * the canonical key bytes of {@link StateKey}, grouped by key group: each implementation's
   * {@code restore} builds a backend for any {@link KeyGroupRange} from one or more snapshots,
   * keeping only the key groups in that range, so a job can be restored with another parallelism.
   * A snapshot records the range its backend owned; a restore refuses two snapshots that claim
   * one key group of its range ({@link KeyGroupClaims}).
   * The directory holds plain files, to be uploaded as they are; an implementation may hard-link
   * files it never changes.
   *
   * <p>Called on the subtask's thread between elements, like every other method.
   *
   * @throws RuntimeException if {@code target} exists or cannot be written
   */
  void snapshot(Path target);

  @Override
  void close();
}
