package dev.weir.worker.operators;

import dev.weir.state.StateKey;
import java.util.ArrayList;
import java.util.Iterator;
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
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
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
 * ReduceFnRunner sees them ({@link MergedUpFront}). Under the default trigger and the few that
 * fire like it here, a key's panes are made without ReduceFnRunner ({@link DefaultTriggerPanes}).
 *
 * <p>It keeps up to {@code capacity} values in memory; beyond that it writes them to disk as a
 * sorted run ({@link SpilledRuns}) and reads the runs back merged per key at the end, as a batch
 * runner sorts. Nothing here is in a checkpoint, so the operator uses it only without checkpoints;
 * if the watermark moves to anything but the end, the operator hands the values to the keyed-state
 * path ({@link #drain}) and stops holding.
 */
final class WholeInputGroups implements AutoCloseable {
  private Map<StateKey, List<WindowedValue<Object>>> byKey = new LinkedHashMap<>();
  private final long capacity;
  private final SpilledRuns spill;
  private long size;

  /** Holds up to {@code capacity} values in memory, the rest in {@code spill}. */
  WholeInputGroups(long capacity, SpilledRuns spill) {
    this.capacity = capacity;
    this.spill = spill;
  }

  /** Holds {@code value} of {@code key}; writes the values in memory to disk at the capacity. */
  void add(StateKey key, WindowedValue<Object> value) {
    byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    if (++size >= capacity) {
      spill.write(byKey);
      byKey = new LinkedHashMap<>();
      size = 0;
    }
  }

  /** Values written to disk so far. */
  long spilledValues() {
    return spill.spilledValues();
  }

  /**
   * Every held key with all its values, each key once: in the order the keys first came if
   * nothing was spilled, else in key byte order. Holds nothing afterwards.
   */
  Iterator<Map.Entry<StateKey, List<WindowedValue<Object>>>> drain() {
    Map<StateKey, List<WindowedValue<Object>>> inMemory = byKey;
    byKey = new LinkedHashMap<>();
    size = 0;
    return spill.isEmpty() ? inMemory.entrySet().iterator() : spill.merged(inMemory);
  }

  /** Deletes what was spilled. */
  @Override
  public void close() {
    byKey = new LinkedHashMap<>();
    size = 0;
    spill.close();
  }

  /**
   * Groups every held key's values under the windowing strategy and emits the panes, as the input
   * watermark reaches {@code endWatermark}; holds nothing afterwards. {@code defaultTriggerPanes},
   * if not null, makes a key's panes where it can, else ReduceFnRunner does.
   */
  void groupAll(
      Instant endWatermark,
      Instant processingTime,
      @Nullable Instant synchronizedProcessingTime,
      WindowingStrategy<?, BoundedWindow> windowingStrategy,
      ExecutableTriggerStateMachine trigger,
      SystemReduceFn<Object, Object, ?, Object, BoundedWindow> reduceFn,
      ElementReceiver output,
      PipelineOptions options,
      @Nullable DefaultTriggerPanes defaultTriggerPanes)
      throws Exception {
    Iterator<Map.Entry<StateKey, List<WindowedValue<Object>>>> groups = drain();
    while (groups.hasNext()) {
      Map.Entry<StateKey, List<WindowedValue<Object>>> entry = groups.next();
      Object key = entry.getKey().key();
      List<WindowedValue<Object>> values = entry.getValue();
      // Panes are made directly only from windows that merge no further.
      boolean windowsFinal = true;
      if (windowingStrategy.needsMerge()) {
        List<WindowedValue<Object>> merged =
            MergedUpFront.finalOrNull(windowingStrategy.getWindowFn(), values);
        windowsFinal = merged != null;
        values = windowsFinal ? merged : values;
      }
      if (defaultTriggerPanes != null
          && windowsFinal
          && defaultTriggerPanes.emit(key, values, endWatermark, output)) {
        continue;
      }
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
