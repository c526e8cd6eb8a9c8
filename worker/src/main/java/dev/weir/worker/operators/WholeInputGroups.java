package dev.weir.worker.operators;

import dev.weir.state.StateKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.InMemoryStateInternals;
import org.apache.beam.runners.core.InMemoryTimerInternals;
import org.apache.beam.runners.core.NullSideInputReader;
import org.apache.beam.runners.core.ReduceFnRunner;
import org.apache.beam.runners.core.SystemReduceFn;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.runners.core.triggers.ExecutableTriggerStateMachine;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterSynchronizedProcessingTime;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The values of a bounded input held per key in memory while the input watermark has not moved,
 * then grouped all at once when it jumps to the end of time: one {@link ReduceFnRunner} per key,
 * over state and timers in memory, sees every value of its key in one call and then every timer
 * of its key in one call, as a batch runner groups sorted input. That is what the keyed-state path
 * does too when the watermark jumps (all values go into state before any timer fires), without a
 * state read and write per value, window merge and timer. Windows that merge are merged before
 * ReduceFnRunner sees them ({@link MergedUpFront}).
 *
 * <p>Nothing here is in a checkpoint, so the operator uses it only without checkpoints; and it
 * keeps values only up to {@code capacity}: beyond that, or if the watermark moves to anything but
 * the end, the operator hands them to the keyed-state path ({@link #drain}) and stops holding.
 */
final class WholeInputGroups {
  private final Map<StateKey, List<WindowedValue<Object>>> byKey = new LinkedHashMap<>();
  private final long capacity;
  private long size;

  WholeInputGroups(long capacity) {
    this.capacity = capacity;
  }

  /**
   * True if values grouped under this windowing strategy may wait for the end of a bounded input.
   * A trigger on processing time asks for panes as the clock passes, which waiting would withhold
   * until the end; those keep the keyed-state path.
   */
  static boolean applies(WindowingStrategy<?, ?> windowingStrategy) {
    return !firesOnProcessingTime(windowingStrategy.getTrigger());
  }

  private static boolean firesOnProcessingTime(Trigger trigger) {
    if (trigger instanceof AfterProcessingTime
        || trigger instanceof AfterSynchronizedProcessingTime) {
      return true;
    }
    for (Trigger sub : trigger.subTriggers()) {
      if (firesOnProcessingTime(sub)) {
        return true;
      }
    }
    return false;
  }

  /** Holds {@code value} of {@code key}; false once more than the capacity are held. */
  boolean add(StateKey key, WindowedValue<Object> value) {
    byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    return ++size <= capacity;
  }

  /** The held values per key, in the order the keys first came; holds nothing afterwards. */
  Map<StateKey, List<WindowedValue<Object>>> drain() {
    Map<StateKey, List<WindowedValue<Object>>> drained = new LinkedHashMap<>(byKey);
    byKey.clear();
    size = 0;
    return drained;
  }

  /**
   * Groups every held key's values under the windowing strategy and emits the panes, as the input
   * watermark reaches {@code endWatermark}; holds nothing afterwards.
   */
  void groupAll(
      Instant endWatermark,
      Instant processingTime,
      @Nullable Instant synchronizedProcessingTime,
      WindowingStrategy<?, BoundedWindow> windowingStrategy,
      ExecutableTriggerStateMachine trigger,
      SystemReduceFn<Object, Object, ?, Object, BoundedWindow> reduceFn,
      ElementReceiver output,
      PipelineOptions options)
      throws Exception {
    for (Map.Entry<StateKey, List<WindowedValue<Object>>> entry : drain().entrySet()) {
      Object key = entry.getKey().key();
      InMemoryTimerInternals timers = new InMemoryTimerInternals();
      timers.advanceProcessingTime(processingTime);
      if (synchronizedProcessingTime != null) {
        timers.advanceSynchronizedProcessingTime(synchronizedProcessingTime);
      }
      ReduceFnRunner<Object, Object, Object, BoundedWindow> runner =
          new ReduceFnRunner<>(
              key,
              windowingStrategy,
              trigger,
              InMemoryStateInternals.forKey(key),
              timers,
              value -> output.accept(value),
              NullSideInputReader.empty(),
              reduceFn,
              options);
      List<WindowedValue<Object>> values = entry.getValue();
      if (windowingStrategy.needsMerge()) {
        values = MergedUpFront.of(windowingStrategy.getWindowFn(), values);
      }
      // The values arrived while the input watermark stood at the start of time.
      runner.processElements(values);
      timers.advanceInputWatermark(endWatermark);
      // ReduceFnRunner expects a key's due timers in one call: it emits a window's final pane
      // once, however many of the window's timers are due. Firing may set timers at or before
      // the end, which the next round fires.
      List<TimerInternals.TimerData> due = new ArrayList<>();
      do {
        due.clear();
        TimerInternals.TimerData timer;
        while ((timer = timers.removeNextEventTimer()) != null) {
          due.add(timer);
        }
        if (!due.isEmpty()) {
          runner.onTimers(due);
        }
      } while (!due.isEmpty());
      runner.persist();
    }
  }
}
