package dev.weir.worker.operators;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.LateDataUtils;
import org.apache.beam.runners.core.ReduceFnRunner;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.windowing.AfterEach;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.OrFinallyTrigger;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The panes of one key of a bounded input under the default trigger, made directly: when all of a
 * key's values arrived while the input watermark stood at the start of time and it then jumps to
 * the end, {@link ReduceFnRunner} fires each window once, at its garbage collection, with every
 * value of the window: an ON_TIME pane that is the first and the last, timestamped with the
 * windowing strategy's {@link TimestampCombiner} over the values' timestamps (no later than the
 * window's end). This makes that pane without ReduceFnRunner's state, timer and trigger work per
 * value. Windows must already be merged ({@link MergedUpFront}).
 *
 * <p>Some other triggers fire the same way here: {@code AfterWatermark.pastEndOfWindow()} alone;
 * {@code Repeatedly.forever} of a processing-time delay (Nexmark q12's trigger: the held values
 * were held for less than the delay, see {@link ProcessingTimeSlack}, and processing time does not
 * move while they are grouped); and, on a window of fewer than n values, {@code
 * Repeatedly.forever(AfterPane.elementCountAtLeast(n))} (Nexmark q11's) and {@code
 * AfterEach.inOrder} starting with that {@code .orFinally(AfterWatermark.pastEndOfWindow())}
 * (Nexmark q10's: what follows runs after the window's end). A window of n or more values fires
 * early in ReduceFnRunner, which then groups that key.
 */
final class DefaultTriggerPanes {
  private static final PaneInfo ONLY_PANE =
      PaneInfo.createPane(true, true, PaneInfo.Timing.ON_TIME, 0, 0);

  private final WindowingStrategy<?, BoundedWindow> windowingStrategy;
  private final @Nullable CombineFn<Object, Object, Object> combineFn;
  // A window of this many values or more is left to ReduceFnRunner.
  private final long earlyFiringCount;

  private DefaultTriggerPanes(
      WindowingStrategy<?, BoundedWindow> windowingStrategy,
      @Nullable CombineFn<Object, Object, Object> combineFn,
      long earlyFiringCount) {
    this.windowingStrategy = windowingStrategy;
    this.combineFn = combineFn;
    this.earlyFiringCount = earlyFiringCount;
  }

  /**
   * For {@code windowingStrategy} if its trigger is one of those above, else null. {@code combineFn}
   * combines a window's values as runners-core's combining reduce function does; null: the pane
   * is the values themselves, as its buffering one.
   */
  static @Nullable DefaultTriggerPanes forStrategy(
      WindowingStrategy<?, BoundedWindow> windowingStrategy,
      @Nullable CombineFn<Object, Object, Object> combineFn) {
    long earlyFiringCount = earlyFiringCount(windowingStrategy.getTrigger());
    return earlyFiringCount < 1
        ? null
        : new DefaultTriggerPanes(windowingStrategy, combineFn, earlyFiringCount);
  }

  /**
   * The count of values at which {@code trigger} fires a window before its end here ({@code
   * Long.MAX_VALUE}: never), or 0 if it is not one of the triggers this class knows fire once.
   */
  private static long earlyFiringCount(Trigger trigger) {
    if (trigger instanceof DefaultTrigger || trigger instanceof AfterWatermark.FromEndOfWindow) {
      return Long.MAX_VALUE;
    }
    if (trigger instanceof Repeatedly) {
      Trigger repeated = ((Repeatedly) trigger).getRepeatedTrigger();
      if (repeated instanceof AfterPane) {
        return ((AfterPane) repeated).getElementCount();
      }
      if (repeated instanceof AfterProcessingTime
          && ProcessingTimeSlack.of(repeated).isLongerThan(Duration.ZERO)) {
        return Long.MAX_VALUE;
      }
      return 0;
    }
    if (trigger instanceof AfterEach) {
      Trigger first = trigger.subTriggers().get(0);
      if (first instanceof OrFinallyTrigger
          && ((OrFinallyTrigger) first).getUntilTrigger() instanceof AfterWatermark.FromEndOfWindow
          && ((OrFinallyTrigger) first).getMainTrigger() instanceof Repeatedly) {
        Trigger repeated = ((Repeatedly) ((OrFinallyTrigger) first).getMainTrigger())
            .getRepeatedTrigger();
        if (repeated instanceof AfterPane) {
          return ((AfterPane) repeated).getElementCount();
        }
      }
    }
    return 0;
  }

  /** A window's values so far and the timestamp they hold it at. */
  private static final class Pane {
    final List<Object> values = new ArrayList<>();
    @Nullable Instant hold;
  }

  /**
   * Emits the panes of {@code key}, whose {@code values} (in arrival order) all came before the
   * input watermark moved, as the watermark reaches {@code endWatermark}. Returns false, emitting
   * nothing, if some window of theirs would not be collected by then (an allowed lateness reaching
   * past it) or fires early on its count: ReduceFnRunner must group that key.
   */
  boolean emit(
      Object key,
      Iterable<WindowedValue<Object>> values,
      Instant endWatermark,
      ElementReceiver output) {
    TimestampCombiner timestamps = windowingStrategy.getTimestampCombiner();
    Map<BoundedWindow, Pane> panes = new LinkedHashMap<>();
    for (WindowedValue<Object> value : values) {
      for (BoundedWindow window : value.getWindows()) {
        Pane pane = panes.get(window);
        if (pane == null) {
          if (!LateDataUtils.garbageCollectionTime(window, windowingStrategy)
              .isBefore(endWatermark)) {
            return false;
          }
          pane = new Pane();
          panes.put(window, pane);
        }
        pane.values.add(value.getValue());
        Instant hold = timestamps.assign(window, value.getTimestamp());
        pane.hold = pane.hold == null ? hold : timestamps.combine(pane.hold, hold);
      }
    }
    for (Pane pane : panes.values()) {
      if (pane.values.size() >= earlyFiringCount) {
        return false;
      }
    }
    for (Map.Entry<BoundedWindow, Pane> entry : panes.entrySet()) {
      BoundedWindow window = entry.getKey();
      Pane pane = entry.getValue();
      Instant timestamp =
          pane.hold.isAfter(window.maxTimestamp()) ? window.maxTimestamp() : pane.hold;
      output.accept(
          WindowedValues.of(KV.of(key, contents(pane.values)), timestamp, window, ONLY_PANE));
    }
    return true;
  }

  private Object contents(List<Object> values) {
    if (combineFn == null) {
      return Collections.unmodifiableList(values);
    }
    Object accumulator = combineFn.createAccumulator();
    for (Object value : values) {
      accumulator = combineFn.addInput(accumulator, value);
    }
    return combineFn.extractOutput(accumulator);
  }
}
