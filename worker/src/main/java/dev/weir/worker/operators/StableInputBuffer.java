package dev.weir.worker.operators;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroups;
import dev.weir.state.StateKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The input of a {@code @RequiresStableInput} DoFn that waits for the checkpoint covering it to
 * complete (labelled by {@link CheckpointEpochs}). A keyed ParDo keeps it in the key's state, in a
 * bag per label under a Weir-internal tag in the global namespace (which a DoFn's own state never
 * uses), so the state backend's snapshot holds it and a restore moves it with its key group; the
 * keys that have something buffered, per label, go into the snapshot entries, since a backend
 * cannot list its keys. A ParDo without keys keeps the elements here and puts them, as {@code
 * WindowedValue} coder bytes, into the entries.
 *
 * <p>The earliest buffered timestamp per label is kept too: it holds the operator's watermark
 * (and a keyed ParDo's timers) until the elements are processed.
 */
final class StableInputBuffer {
  static final String ELEMENTS_ENTRY = "stable-input";
  static final String KEYS_ENTRY = "stable-input-keys";
  private static final int FORMAT_VERSION = 1;
  private static final String TAG_PREFIX = "weir-stable-input-";

  private final Coder<WindowedValue<Object>> elementCoder;
  private final @Nullable CurrentKey keys;
  // Label to what is buffered under it: the keys (keyed) or the elements (not keyed).
  private final TreeMap<Long, LinkedHashSet<StateKey>> keysByLabel = new TreeMap<>();
  private final TreeMap<Long, List<WindowedValue<Object>>> elementsByLabel = new TreeMap<>();
  private final Map<Long, Instant> earliestByLabel = new HashMap<>();

  /** {@code keys} is null for a ParDo without keys. */
  StableInputBuffer(Coder<WindowedValue<Object>> elementCoder, @Nullable CurrentKey keys) {
    this.elementCoder = elementCoder;
    this.keys = keys;
  }

  /** One element released by {@link #release}, with its key if the ParDo is keyed. */
  record Released(@Nullable StateKey key, WindowedValue<Object> element) {}

  /** Buffers {@code element} under {@code label}; a keyed ParDo passes the element's key. */
  void add(long label, @Nullable StateKey key, WindowedValue<Object> element) {
    if (keys != null) {
      keys.set(key);
      bag(label).add(element);
      keysByLabel.computeIfAbsent(label, l -> new LinkedHashSet<>()).add(key);
    } else {
      elementsByLabel.computeIfAbsent(label, l -> new ArrayList<>()).add(element);
    }
    earliestByLabel.merge(
        label, element.getTimestamp(), (a, b) -> a.isBefore(b) ? a : b);
  }

  private BagState<WindowedValue<Object>> bag(long label) {
    StateTag<BagState<WindowedValue<Object>>> tag = StateTags.bag(TAG_PREFIX + label, elementCoder);
    return keys.stateInternals().state(StateNamespaces.global(), tag);
  }

  /**
   * Removes and returns the elements buffered under {@code labels}, label by label, in the order
   * they came (a keyed ParDo's grouped by key).
   */
  List<Released> release(Set<Long> labels) {
    List<Released> released = new ArrayList<>();
    for (long label : labels) {
      earliestByLabel.remove(label);
      if (keys != null) {
        Set<StateKey> labelled = keysByLabel.remove(label);
        if (labelled == null) {
          continue;
        }
        for (StateKey key : labelled) {
          keys.set(key);
          BagState<WindowedValue<Object>> bag = bag(label);
          for (WindowedValue<Object> element : bag.read()) {
            released.add(new Released(key, element));
          }
          bag.clear();
        }
      } else {
        List<WindowedValue<Object>> labelled = elementsByLabel.remove(label);
        if (labelled != null) {
          labelled.forEach(e -> released.add(new Released(null, e)));
        }
      }
    }
    return released;
  }

  /** Every label something is buffered under. */
  Set<Long> labels() {
    return new TreeSet<>(earliestByLabel.keySet());
  }

  boolean isEmpty() {
    return earliestByLabel.isEmpty();
  }

  /** The earliest timestamp of a buffered element; the end of time if there is none. */
  Instant earliestTimestamp() {
    Instant earliest = BoundedWindow.TIMESTAMP_MAX_VALUE;
    for (Instant t : earliestByLabel.values()) {
      if (t.isBefore(earliest)) {
        earliest = t;
      }
    }
    return earliest;
  }

  /** The entry of this subtask: the buffered elements, or for a keyed ParDo their keys. */
  Map<String, byte[]> snapshot(int subtaskIndex) {
    if (earliestByLabel.isEmpty()) {
      return Map.of();
    }
    if (keys != null) {
      List<KV<Long, KV<Instant, List<byte[]>>>> index = new ArrayList<>();
      keysByLabel.forEach(
          (label, labelled) -> {
            List<byte[]> bytes = new ArrayList<>();
            labelled.forEach(k -> bytes.add(k.bytes()));
            index.add(KV.of(label, KV.of(earliestByLabel.get(label), bytes)));
          });
      return Map.of(
          SnapshotEntries.name(KEYS_ENTRY, subtaskIndex),
          SnapshotEntries.encode(FORMAT_VERSION, keyIndexCoder(), index));
    }
    List<KV<Long, List<WindowedValue<Object>>>> buffered = new ArrayList<>();
    elementsByLabel.forEach((label, elements) -> buffered.add(KV.of(label, elements)));
    return Map.of(
        SnapshotEntries.name(ELEMENTS_ENTRY, subtaskIndex),
        SnapshotEntries.encode(FORMAT_VERSION, elementsCoder(), buffered));
  }

  /**
   * Takes back what the old subtasks buffered and this subtask now owns: a keyed ParDo the keys in
   * its key groups (their bags came back with the state backend), a ParDo without keys the
   * elements of the old subtasks {@link SnapshotEntries#takenBy} assigns it. Returns the labels
   * taken, for {@link CheckpointEpochs#restored}.
   */
  Set<Long> restore(
      Map<String, byte[]> entries,
      int subtaskIndex,
      int parallelism,
      KeyGroupRange keyGroups,
      int maxParallelism) {
    if (keys != null) {
      for (byte[] entry : SnapshotEntries.byOldSubtask(entries, KEYS_ENTRY).values()) {
        for (KV<Long, KV<Instant, List<byte[]>>> labelled :
            SnapshotEntries.decode(FORMAT_VERSION, keyIndexCoder(), entry, "stable-input keys")) {
          for (byte[] keyBytes : labelled.getValue().getValue()) {
            if (keyGroups.contains(KeyGroups.keyGroupFor(keyBytes, maxParallelism))) {
              keysByLabel
                  .computeIfAbsent(labelled.getKey(), l -> new LinkedHashSet<>())
                  .add(keys.decode(keyBytes));
              // The earliest of all the old subtask's keys: possibly earlier than those taken
              // here, which holds the watermark a little longer but never too little.
              earliestByLabel.merge(
                  labelled.getKey(),
                  labelled.getValue().getKey(),
                  (a, b) -> a.isBefore(b) ? a : b);
            }
          }
        }
      }
    } else {
      for (byte[] entry :
          SnapshotEntries.takenBy(entries, ELEMENTS_ENTRY, subtaskIndex, parallelism).values()) {
        for (KV<Long, List<WindowedValue<Object>>> labelled :
            SnapshotEntries.decode(FORMAT_VERSION, elementsCoder(), entry, "stable input")) {
          for (WindowedValue<Object> element : labelled.getValue()) {
            elementsByLabel
                .computeIfAbsent(labelled.getKey(), l -> new ArrayList<>())
                .add(element);
            earliestByLabel.merge(
                labelled.getKey(), element.getTimestamp(), (a, b) -> a.isBefore(b) ? a : b);
          }
        }
      }
    }
    return labels();
  }

  private static Coder<List<KV<Long, KV<Instant, List<byte[]>>>>> keyIndexCoder() {
    return ListCoder.of(
        KvCoder.of(
            VarLongCoder.of(),
            KvCoder.of(InstantCoder.of(), ListCoder.of(ByteArrayCoder.of()))));
  }

  private Coder<List<KV<Long, List<WindowedValue<Object>>>>> elementsCoder() {
    return ListCoder.of(KvCoder.of(VarLongCoder.of(), ListCoder.of(elementCoder)));
  }
}
