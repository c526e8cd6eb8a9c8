package dev.weir.worker.operators;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One key's values of a whole bounded input, moved into the windows their windows merge into,
 * before they reach {@link org.apache.beam.runners.core.ReduceFnRunner}.
 *
 * <p>Given all of a key's values in one call over empty state, ReduceFnRunner merges their windows
 * once (one {@code WindowFn.mergeWindows} over every distinct window) and puts each value in the
 * result of its window's merge. It does that through its active-window set, which keeps state
 * addresses, merge callbacks and merged state per window: a session of a thousand values is a
 * thousand windows tracked, merged and emptied. Profiled on Nexmark q11 (session windows, batch),
 * that merging was a fifth of the end-of-input grouping. Merging the distinct windows here with the
 * same {@code WindowFn} gives ReduceFnRunner values already in their merge results, which it
 * merges no further; what it emits is the same, as the merged-away windows had no state.
 *
 * <p>That holds only if one merge pass is final: a second pass over the results must merge
 * nothing, or ReduceFnRunner's own pass would merge again where it did not before. A {@code
 * WindowFn} that merges further on a second pass (legal, if unusual) keeps its values as they came.
 */
final class MergedUpFront {
  private MergedUpFront() {}

  /**
   * {@code values} with each window replaced by its merge result under {@code windowFn}; {@code
   * values} itself if nothing merges or if merging the results again would merge further.
   */
  static List<WindowedValue<Object>> of(
      WindowFn<?, BoundedWindow> windowFn, List<WindowedValue<Object>> values) throws Exception {
    List<WindowedValue<Object>> merged = finalOrNull(windowFn, values);
    return merged == null ? values : merged;
  }

  /**
   * As {@link #of}, but null where merging the results again would merge further (a {@code
   * WindowFn} may also "merge" a window alone into itself): there the windows are not final, and
   * only ReduceFnRunner's own merging tells what they become.
   */
  static @Nullable List<WindowedValue<Object>> finalOrNull(
      WindowFn<?, BoundedWindow> windowFn, List<WindowedValue<Object>> values) throws Exception {
    Set<BoundedWindow> windows = new HashSet<>();
    for (WindowedValue<Object> value : values) {
      windows.addAll(value.getWindows());
    }
    Map<BoundedWindow, BoundedWindow> mergedInto = merges(windowFn, windows);
    if (mergedInto.isEmpty()) {
      return values;
    }
    Set<BoundedWindow> results = new HashSet<>(windows);
    results.removeAll(mergedInto.keySet());
    results.addAll(mergedInto.values());
    if (!merges(windowFn, results).isEmpty()) {
      return null;
    }
    List<WindowedValue<Object>> moved = new ArrayList<>(values.size());
    for (WindowedValue<Object> value : values) {
      moved.add(moved(value, mergedInto));
    }
    return moved;
  }

  private static WindowedValue<Object> moved(
      WindowedValue<Object> value, Map<BoundedWindow, BoundedWindow> mergedInto) {
    Collection<? extends BoundedWindow> windows = value.getWindows();
    if (windows.size() == 1) {
      BoundedWindow to = mergedInto.get(windows.iterator().next());
      return to == null
          ? value
          : WindowedValues.of(value.getValue(), value.getTimestamp(), to, value.getPaneInfo());
    }
    Set<BoundedWindow> to = new LinkedHashSet<>();
    for (BoundedWindow window : windows) {
      to.add(mergedInto.getOrDefault(window, window));
    }
    return WindowedValues.of(value.getValue(), value.getTimestamp(), to, value.getPaneInfo());
  }

  /** Each window of {@code windows} that one merge pass merges, to its merge result. */
  private static Map<BoundedWindow, BoundedWindow> merges(
      WindowFn<?, BoundedWindow> windowFn, Set<BoundedWindow> windows) throws Exception {
    return mergesOf(windowFn, windows);
  }

  private static <T> Map<BoundedWindow, BoundedWindow> mergesOf(
      WindowFn<T, BoundedWindow> windowFn, Set<BoundedWindow> windows) throws Exception {
    Map<BoundedWindow, BoundedWindow> mergedInto = new HashMap<>();
    windowFn.mergeWindows(
        windowFn.new MergeContext() {
          @Override
          public Collection<BoundedWindow> windows() {
            return windows;
          }

          @Override
          public void merge(Collection<BoundedWindow> toBeMerged, BoundedWindow mergeResult) {
            for (BoundedWindow window : toBeMerged) {
              mergedInto.put(window, mergeResult);
            }
          }
        });
    return mergedInto;
  }
}
