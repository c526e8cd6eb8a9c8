package dev.weir.worker.operators;

import dev.weir.state.KeyGroupRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Main-input elements waiting for their side inputs to become ready, each with the bundle it came
 * in (so a retry keeps bundle boundaries). They are input the subtask has consumed, so a snapshot
 * holds them, as {@code WindowedValue} coder bytes in the entries.
 */
public final class PushedBackElements {
  static final String ENTRY = "pushed-back";
  private static final int FORMAT_VERSION = 1;

  private final Coder<WindowedValue<Object>> elementCoder;
  private final List<KV<Long, WindowedValue<Object>>> waiting = new ArrayList<>();

  public PushedBackElements(Coder<WindowedValue<Object>> elementCoder) {
    this.elementCoder = elementCoder;
  }

  public void add(long bundle, WindowedValue<Object> element) {
    waiting.add(KV.of(bundle, element));
  }

  public boolean isEmpty() {
    return waiting.isEmpty();
  }

  /** Removes and returns every waiting element, with its bundle, in arrival order. */
  public List<KV<Long, WindowedValue<Object>>> takeAll() {
    List<KV<Long, WindowedValue<Object>>> all = new ArrayList<>(waiting);
    waiting.clear();
    return all;
  }

  /** The earliest timestamp of a waiting element; the end of time if there is none. */
  public Instant earliestTimestamp() {
    Instant earliest = BoundedWindow.TIMESTAMP_MAX_VALUE;
    for (KV<Long, WindowedValue<Object>> element : waiting) {
      if (element.getValue().getTimestamp().isBefore(earliest)) {
        earliest = element.getValue().getTimestamp();
      }
    }
    return earliest;
  }

  /** The earliest end of a window of a waiting element; the end of time if there is none. */
  public Instant earliestWindowEnd() {
    Instant earliest = BoundedWindow.TIMESTAMP_MAX_VALUE;
    for (KV<Long, WindowedValue<Object>> element : waiting) {
      for (BoundedWindow window : element.getValue().getWindows()) {
        if (window.maxTimestamp().isBefore(earliest)) {
          earliest = window.maxTimestamp();
        }
      }
    }
    return earliest;
  }

  public Map<String, byte[]> snapshot(int subtaskIndex) {
    if (waiting.isEmpty()) {
      return Map.of();
    }
    return Map.of(
        SnapshotEntries.name(ENTRY, subtaskIndex),
        SnapshotEntries.encode(FORMAT_VERSION, coder(), waiting));
  }

  /**
   * Takes back the waiting elements the subtask of {@code context} owns: of a keyed operator
   * (given {@code keys}) those whose key is in its key groups (from every old subtask), otherwise
   * those of the old subtasks {@link SnapshotEntries#takenBy} assigns it.
   */
  void restore(Map<String, byte[]> entries, OperatorContext context, @Nullable CurrentKey keys) {
    restore(
        entries,
        context,
        keys == null
            ? null
            : element -> keys.encode(((KV<?, ?>) element.getValue()).getKey()).keyGroup());
  }

  /**
   * As {@link #restore(Map, OperatorContext, CurrentKey)}, for a keyed operator whose elements'
   * key groups {@code keyGroupOf} tells (null if the operator is not keyed).
   */
  public void restore(
      Map<String, byte[]> entries,
      OperatorContext context,
      @Nullable ToIntFunction<WindowedValue<Object>> keyGroupOf) {
    int subtaskIndex = context.subtaskIndex();
    int parallelism = context.parallelism();
    KeyGroupRange keyGroups = context.keyGroupRange();
    Map<Integer, byte[]> taken =
        keyGroupOf == null
            ? SnapshotEntries.takenBy(entries, ENTRY, subtaskIndex, parallelism)
            : SnapshotEntries.byOldSubtask(entries, ENTRY);
    for (byte[] entry : taken.values()) {
      for (KV<Long, WindowedValue<Object>> element :
          SnapshotEntries.decode(FORMAT_VERSION, coder(), entry, "pushed-back elements")) {
        if (keyGroupOf == null
            || keyGroups.contains(keyGroupOf.applyAsInt(element.getValue()))) {
          waiting.add(element);
        }
      }
    }
  }

  private Coder<List<KV<Long, WindowedValue<Object>>>> coder() {
    return ListCoder.of(KvCoder.of(VarLongCoder.of(), elementCoder));
  }
}
