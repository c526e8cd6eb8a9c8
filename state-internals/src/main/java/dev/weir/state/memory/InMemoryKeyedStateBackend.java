package dev.weir.state.memory;

import dev.weir.state.BackendClocks;
import dev.weir.state.KeyGroupClaims;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroups;
import dev.weir.state.KeyTimerInternals;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedTimer;
import dev.weir.state.StateKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Keyed state and timers on the heap. Meant for unit tests and as the initial default; it keeps
 * every key it has seen, so memory grows with the number of keys.
 *
 * <p>{@link #snapshot} writes one {@link HeapSnapshotFormat} file; {@link #restore} reads the key
 * groups of a range from one or more of them.
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

  /**
   * A backend owning {@code range}, holding exactly the key groups of {@code range} found in the
   * given snapshots (each made by {@link #snapshot}, possibly by backends that owned other ranges:
   * this is how a job is rescaled). No key group of {@code range} may be claimed by more than one
   * of them (their backends' ranges must not overlap within it). Snapshots whose range lies
   * outside {@code range} are not read past their header.
   *
   * <p>Timers and watermark holds are indexed at once, so {@link #nextTimerTimestamp} and {@link
   * #minWatermarkHold} are right before any key is touched. State cells stay encoded until their
   * state is first bound, and are decoded with the coders of that binding.
   *
   * @param windowCoder decodes the windows of the timers' namespaces
   * @throws HeapSnapshotException naming the file, if a snapshot is missing, corrupt, truncated or
   *     of a format version this Weir does not read
   */
  public static InMemoryKeyedStateBackend restore(
      KeyGroupRange range, Coder<? extends BoundedWindow> windowCoder, List<Path> snapshots) {
    InMemoryKeyedStateBackend backend = new InMemoryKeyedStateBackend(range);
    KeyGroupClaims claims = new KeyGroupClaims(range);
    List<Path> overlapping = new ArrayList<>();
    for (Path snapshot : snapshots) {
      boolean overlaps;
      try {
        overlaps = claims.claim(snapshot, new HeapSnapshotReader(snapshot).claimedRange());
      } catch (IllegalArgumentException e) {
        throw new HeapSnapshotException(e.getMessage(), e);
      }
      if (overlaps) {
        overlapping.add(snapshot);
      }
    }
    // Also checked by content: a key group's state in two files is refused even if a header lies.
    Map<Integer, Path> restoredFrom = new HashMap<>();
    for (Path snapshot : overlapping) {
      HeapSnapshotReader reader = new HeapSnapshotReader(snapshot);
      reader.read(
          range,
          (keyGroup, body) -> {
            Path earlier = restoredFrom.putIfAbsent(keyGroup, snapshot);
            if (earlier != null) {
              throw new HeapSnapshotException(
                  "Key group " + keyGroup + " is in both " + earlier + " and " + snapshot);
            }
            try {
              KeyGroupSection.decode(body, backend.new Restore(keyGroup, windowCoder));
            } catch (IOException | RuntimeException e) {
              throw new HeapSnapshotException(
                  "Cannot decode key group " + keyGroup + " of heap snapshot " + reader.file(), e);
            }
          });
    }
    return backend;
  }

  /** Puts the contents of one key group's section into this backend. */
  private final class Restore implements KeyGroupSection.Sink {
    private final int keyGroup;
    private final Coder<? extends BoundedWindow> windowCoder;

    Restore(int keyGroup, Coder<? extends BoundedWindow> windowCoder) {
      this.keyGroup = keyGroup;
      this.windowCoder = windowCoder;
    }

    /** The decoded key is not known yet: the worker's first {@link #stateInternals} gives it. */
    private StateKey key(byte[] keyBytes) {
      return new StateKey(keyBytes, null, keyGroup);
    }

    @Override
    public void cell(byte[] keyBytes, String namespace, String tagId, StoredCell cell) {
      keys.computeIfAbsent(key(keyBytes), k -> new HeapKeyStateInternals(null, holds))
          .addRestored(namespace, tagId, cell);
      // Registered now, not when bound: a restored hold holds the watermark back from the start.
      if (cell.kind == CellKind.WATERMARK_HOLD) {
        holds.replace(null, BoundCell.holdOf(cell.payload));
      }
    }

    @Override
    public void timer(
        byte[] keyBytes,
        String namespace,
        String timerId,
        String timerFamilyId,
        TimeDomain domain,
        Instant timestamp,
        Instant outputTimestamp) {
      timers.set(
          key(keyBytes),
          TimerData.of(
              timerId,
              timerFamilyId,
              StateNamespaces.fromString(namespace, windowCoder),
              timestamp,
              outputTimestamp,
              domain));
    }
  }

  /**
   * Writes all state and timers to a new {@link HeapSnapshotFormat} file in {@code target}, which
   * must not exist. Synchronous: the file is complete when this returns, and later changes to the
   * state do not reach it.
   */
  @Override
  public void snapshot(Path target) {
    checkOpen();
    TreeMap<Integer, TreeMap<byte[], HeapKeyStateInternals>> stateByGroup = new TreeMap<>();
    for (Map.Entry<StateKey, HeapKeyStateInternals> entry : keys.entrySet()) {
      if (entry.getValue().hasState()) {
        stateByGroup
            .computeIfAbsent(
                entry.getKey().keyGroup(), g -> new TreeMap<>(KeyGroups::compareKeyBytes))
            .put(entry.getKey().bytes(), entry.getValue());
      }
    }
    TreeMap<Integer, KeyGroupSection> sections = new TreeMap<>();
    stateByGroup.forEach(
        (keyGroup, groupKeys) -> {
          KeyGroupSection section = sections.computeIfAbsent(keyGroup, g -> new KeyGroupSection());
          groupKeys.forEach(section::addKey);
        });
    timers.forEach(
        (keyGroup, keyBytes, timer) ->
            sections.computeIfAbsent(keyGroup, g -> new KeyGroupSection()).addTimer(keyBytes, timer));
    HeapSnapshotWriter writer = new HeapSnapshotWriter(target, keyGroupRange);
    try (writer) {
      sections.forEach((keyGroup, section) -> writer.keyGroup(keyGroup, section.encode()));
      writer.finish();
    } catch (RuntimeException e) {
      // A half-written snapshot must not be mistaken for one: the target is new, so remove it.
      writer.discard(e);
      throw e;
    }
  }

  @Override
  public StateInternals stateInternals(StateKey key) {
    checkOwned(key);
    HeapKeyStateInternals state = keys.get(key);
    if (state == null) {
      state = new HeapKeyStateInternals(key.key(), holds);
      keys.put(key, state);
    } else {
      state.keyIs(key.key());
    }
    return state;
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
