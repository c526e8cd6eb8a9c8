package dev.weir.worker.operators;

import dev.weir.state.KeyedStateBackend;
import dev.weir.state.StateKey;
import dev.weir.translation.AccumulatorMergingFn;
import dev.weir.translation.GroupByKeyPlan;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.InMemoryBundleFinalizer;
import org.apache.beam.runners.core.LateDataDroppingDoFnRunner;
import org.apache.beam.runners.core.LateDataUtils;
import org.apache.beam.runners.core.NullSideInputReader;
import org.apache.beam.runners.core.ReduceFnRunner;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.SystemReduceFn;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.runners.core.metrics.CounterCell;
import org.apache.beam.runners.core.triggers.ExecutableTriggerStateMachine;
import org.apache.beam.runners.core.triggers.TriggerStateMachines;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.util.AppliedCombineFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.construction.TriggerTranslation;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * GroupByKey after a keyed exchange: per key, runners-core's {@link ReduceFnRunner} buffers values
 * in the key's state (a bundle's values of one key in one call), runs the windowing strategy's trigger and merges windows; event-time and
 * processing-time timers come from the state backend in timestamp order, in rounds, each key's
 * due timers of a round in one call.
 *
 * <p>A bounded input without checkpoints is grouped as a batch runner groups it: its values wait
 * in memory (past a capacity, in sorted runs on local disk), and when the watermark jumps to the end
 * of time each key's values and then its timers go through ReduceFnRunner once, over state in
 * memory ({@link WholeInputGroups}, {@link SpilledRuns}). Under a trigger that may ask for panes by
 * processing time before the end of a window, the values wait no longer than its delay ({@link
 * ProcessingTimeSlack}) and then go into keyed state, where the trigger's timers run.
 */
public final class GroupByKeyOperator implements StageOperator {
  /** Bounds the values buffered per bundle before they go into state. */
  private static final int MAX_PENDING_ELEMENTS = 20_000;
  /** Bounds the due timers taken from the backend at once, grouped by key and then fired. */
  private static final int MAX_TIMERS_PER_ROUND = 10_000;

  private final GroupByKeyPlan plan;
  private OperatorContext context;
  private KeyedStateBackend backend;
  private CurrentKey currentKey;
  private ReduceFnTimers timers;
  private ExecutableTriggerStateMachine trigger;
  private SystemReduceFn<Object, Object, ?, Object, BoundedWindow> reduceFn;
  private @Nullable DefaultTriggerPanes defaultTriggerPanes;
  private WindowingStrategy<?, BoundedWindow> windowingStrategy;
  private ElementReceiver output;
  private CounterCell droppedDueToLateness;
  private Instant inputWatermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  // Null until the first watermark advance: unknown, as Beam's TimerInternals allows.
  private @Nullable Instant outputWatermark;
  // Values of the current bundle, per key in arrival order of the keys' first values.
  private final Map<StateKey, List<WindowedValue<Object>>> pending = new LinkedHashMap<>();
  private int pendingElements;
  // Non-null while a bounded input's values wait for its end (see WholeInputGroups).
  private @Nullable WholeInputGroups wholeInput;
  // How long after the first held value the trigger could want a processing-time pane.
  private Duration holdSlack = ProcessingTimeSlack.UNLIMITED;
  // The processing time at which held values go into keyed state; null while unlimited.
  private @Nullable Instant holdUntil;

  private final long wholeInputCapacity;

  public GroupByKeyOperator(GroupByKeyPlan plan) {
    this(plan, defaultWholeInputCapacity());
  }

  /** With at most {@code wholeInputCapacity} values held for the end of a bounded input. */
  GroupByKeyOperator(GroupByKeyPlan plan, long wholeInputCapacity) {
    this.plan = plan;
    this.wholeInputCapacity = wholeInputCapacity;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void open(OperatorContext context) {
    this.context = context;
    this.backend =
        context.createStateBackend(plan.windowingStrategy().getWindowFn().windowCoder());
    this.currentKey =
        new CurrentKey(
            backend,
            plan.inputCoder().getKeyCoder(),
            context.maxParallelism(),
            new InMemoryBundleFinalizer());
    this.timers = new ReduceFnTimers(currentKey.timerInternals());
    this.windowingStrategy = (WindowingStrategy<?, BoundedWindow>) plan.windowingStrategy();
    this.trigger =
        ExecutableTriggerStateMachine.create(
            TriggerStateMachines.stateMachineForTrigger(
                TriggerTranslation.toProto(windowingStrategy.getTrigger())));
    AccumulatorMergingFn<Object, Object> merging =
        (AccumulatorMergingFn<Object, Object>) plan.accumulatorMergingFn();
    Coder<Object> valueCoder = (Coder<Object>) plan.inputCoder().getValueCoder();
    this.reduceFn =
        merging == null
            ? (SystemReduceFn) SystemReduceFn.buffering(valueCoder)
            : SystemReduceFn.combining(
                (Coder<Object>) plan.inputCoder().getKeyCoder(),
                AppliedCombineFn.withAccumulatorCoder(merging, valueCoder));
    this.defaultTriggerPanes = DefaultTriggerPanes.forStrategy(windowingStrategy, merging);
    this.output = context.outputs().values().iterator().next();
    this.droppedDueToLateness =
        context
            .metricsContainer()
            .getCounter(
                MetricName.named(
                    LateDataDroppingDoFnRunner.class,
                    LateDataDroppingDoFnRunner.DROPPED_DUE_TO_LATENESS));
    holdSlack = ProcessingTimeSlack.of(windowingStrategy.getTrigger());
    if (plan.boundedInput()
        && !context.checkpointingEnabled()
        && holdSlack.isLongerThan(Duration.ZERO)) {
      wholeInput =
          new WholeInputGroups(
              wholeInputCapacity,
              new SpilledRuns(
                  context.scratchDirectory(),
                  WindowedValues.getFullCoder(
                      (Coder<Object>) plan.inputCoder().getValueCoder(),
                      windowingStrategy.getWindowFn().windowCoder()),
                  currentKey::decode));
    }
  }

  /**
   * Values a subtask holds in memory for the end of its bounded input: an eighth of the heap at a
   * rough 512 bytes per value (a value, its KV and WindowedValue, the list slot). Past it the values
   * go to disk in sorted runs, merged back at the end.
   */
  private static long defaultWholeInputCapacity() {
    return Math.max(MAX_PENDING_ELEMENTS, Runtime.getRuntime().maxMemory() / 8 / 512);
  }

  private ReduceFnRunner<Object, Object, Object, BoundedWindow> reduceFnRunner() {
    return new ReduceFnRunner<>(
        currentKey.key(),
        windowingStrategy,
        trigger,
        currentKey.stateInternals(),
        timers,
        value -> output.accept(value),
        NullSideInputReader.empty(),
        reduceFn,
        context.pipelineOptions());
  }

  @Override
  public void processElement(WindowedValue<?> element) {
    KV<?, ?> kv = (KV<?, ?>) element.getValue();
    StateKey key = currentKey.encode(kv.getKey());
    WindowedValue<Object> value = WindowedValues.withValue(element, (Object) kv.getValue());
    if (wholeInput != null) {
      if (holdUntil == null && !holdSlack.equals(ProcessingTimeSlack.UNLIMITED)) {
        holdUntil = context.processingTime().get().plus(holdSlack);
      }
      wholeInput.add(key, value);
      return;
    }
    pending
        .computeIfAbsent(key, k -> new ArrayList<>())
        .add(value);
    if (++pendingElements >= MAX_PENDING_ELEMENTS) {
      flushPending();
    }
  }

  /**
   * Moves the values held for the end of the input into keyed state, as they would have gone had
   * they not been held (the watermark has not moved since they came), and stops holding.
   */
  private void stopHoldingWholeInput() {
    try (WholeInputGroups held = wholeInput) {
      wholeInput = null;
      holdUntil = null;
      Iterator<Map.Entry<StateKey, List<WindowedValue<Object>>>> groups = held.drain();
      while (groups.hasNext()) {
        Map.Entry<StateKey, List<WindowedValue<Object>>> entry = groups.next();
        pending.put(entry.getKey(), entry.getValue());
        pendingElements += entry.getValue().size();
        if (pendingElements >= MAX_PENDING_ELEMENTS) {
          flushPending();
        }
      }
    }
    flushPending();
  }

  /** The input ended: groups every held value at once, with no state backend involved. */
  private void groupWholeInput(Instant endWatermark) {
    WholeInputGroups held = wholeInput;
    wholeInput = null;
    holdUntil = null;
    try (held;
        AutoCloseable scope =
            MetricsEnvironment.scopedMetricsContainer(context.metricsContainer())) {
      held.groupAll(
          endWatermark,
          context.processingTime().get(),
          context.synchronizedProcessingTime().get(),
          windowingStrategy,
          trigger,
          reduceFn,
          output,
          context.pipelineOptions(),
          defaultTriggerPanes);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  /**
   * Runs the buffered values through ReduceFnRunner, one call per key. Values wait here at most
   * until the bundle ends, and the bundle ends before any watermark or processing-time advance,
   * so triggers see them in time; within a key their order is kept.
   */
  private void flushPending() {
    if (pending.isEmpty()) {
      return;
    }
    updateTimes();
    try (AutoCloseable scope =
        MetricsEnvironment.scopedMetricsContainer(context.metricsContainer())) {
      for (Map.Entry<StateKey, List<WindowedValue<Object>>> entry : pending.entrySet()) {
        currentKey.set(entry.getKey());
        timers.forgetSetTimers();
        Iterable<WindowedValue<Object>> values =
            LateDataUtils.dropExpiredWindows(
                entry.getKey().key(),
                entry.getValue(),
                currentKey.timerInternals(),
                windowingStrategy,
                droppedDueToLateness);
        ReduceFnRunner<Object, Object, Object, BoundedWindow> runner = reduceFnRunner();
        runner.processElements(values);
        runner.persist();
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new RuntimeException(e);
    } finally {
      pending.clear();
      pendingElements = 0;
    }
  }

  @Override
  public void finishBundle() {
    flushPending();
  }

  private void updateTimes() {
    backend.setTimes(
        inputWatermark,
        outputWatermark,
        context.processingTime().get(),
        context.synchronizedProcessingTime().get());
  }

  /**
   * Fires the event-time timers, then moves the output watermark: the input watermark held back
   * by this operator's holds. ReduceFnRunner reads it while the timers fire as the output watermark
   * before this advance, as Beam's DirectRunner reports a step's output watermark as of the
   * previous bundle. It marks a pane LATE when the output watermark has passed its window's end,
   * such as the first pane of a key whose only data came after the on-time firing; without it
   * that pane would be ON_TIME.
   */
  @Override
  public void advanceInputWatermark(Instant watermark) {
    if (wholeInput != null && watermark.isAfter(inputWatermark)) {
      if (watermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
        stopHoldingWholeInput();
      } else {
        groupWholeInput(watermark);
      }
    }
    inputWatermark = watermark;
    fire(TimeDomain.EVENT_TIME, watermark);
    Instant hold = backend.minWatermarkHold();
    outputWatermark = hold.isBefore(watermark) ? hold : watermark;
    updateTimes();
  }

  @Override
  public void advanceProcessingTime(Instant now) {
    if (holdUntil != null && !now.isBefore(holdUntil)) {
      // The trigger's processing-time delay has passed while the input watermark stood still:
      // the values go into keyed state, where the trigger's timers run.
      stopHoldingWholeInput();
    }
    fire(TimeDomain.PROCESSING_TIME, now);
  }

  @Override
  public void advanceSynchronizedProcessingTime(Instant time) {
    fire(TimeDomain.SYNCHRONIZED_PROCESSING_TIME, time);
  }

  private void fire(TimeDomain domain, Instant upTo) {
    flushPending();
    updateTimes();
    Collection<DueTimers.KeyTimers> due;
    while (!(due = DueTimers.pollByKey(backend, domain, upTo, MAX_TIMERS_PER_ROUND)).isEmpty()) {
      try (AutoCloseable scope =
          MetricsEnvironment.scopedMetricsContainer(context.metricsContainer())) {
        for (DueTimers.KeyTimers keyTimers : due) {
          currentKey.setBytes(keyTimers.keyBytes);
          timers.forgetSetTimers();
          ReduceFnRunner<Object, Object, Object, BoundedWindow> runner = reduceFnRunner();
          runner.onTimers(keyTimers.timers);
          if (domain == TimeDomain.EVENT_TIME) {
            for (TimerInternals.TimerData fired : keyTimers.timers) {
              dropTimersOfCollectedWindow(fired, upTo);
            }
          }
          runner.persist();
        }
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }
  }

  /**
   * ReduceFnRunner handles a window by its state and the input watermark, not by which timer
   * fired, and expects all of a key's due timers in one call: with the watermark past the window's
   * garbage-collection time, the call emits the final pane and clears the window, and timers of the
   * same window in that call are skipped. Weir takes due timers in rounds of at most {@link
   * #MAX_TIMERS_PER_ROUND} across keys, so when the watermark leaps over both the end-of-window and
   * the garbage-collection timer, the latter can fall into the next round and would fire again
   * on the cleared window and emit an empty ON_TIME pane (a {@code KV(key, 0)} after a Sum). So
   * once a window is collected, its end-of-window and garbage-collection timers still pending go
   * too, addressed as runners-core addresses them ({@code TimerData.of} by namespace, time and
   * domain).
   */
  private void dropTimersOfCollectedWindow(TimerInternals.TimerData fired, Instant watermark) {
    if (!(fired.getNamespace() instanceof StateNamespaces.WindowNamespace)) {
      return;
    }
    BoundedWindow window = ((StateNamespaces.WindowNamespace<?>) fired.getNamespace()).getWindow();
    Instant gcTime = LateDataUtils.garbageCollectionTime(window, windowingStrategy);
    if (!watermark.isAfter(gcTime)) {
      return;
    }
    for (Instant pending : List.of(window.maxTimestamp(), gcTime)) {
      if (pending.isAfter(fired.getTimestamp())) {
        timers.deleteTimer(
            TimerInternals.TimerData.of(
                fired.getNamespace(), pending, pending, TimeDomain.EVENT_TIME));
      }
    }
  }

  @Override
  public @Nullable Instant nextProcessingTimer() {
    if (holdUntil != null) {
      return holdUntil;
    }
    return backend == null ? null : backend.nextTimerTimestamp(TimeDomain.PROCESSING_TIME);
  }

  @Override
  public @Nullable Instant nextSynchronizedProcessingTimer() {
    return backend == null
        ? null
        : backend.nextTimerTimestamp(TimeDomain.SYNCHRONIZED_PROCESSING_TIME);
  }

  @Override
  public Instant watermarkHold() {
    return backend.minWatermarkHold();
  }

  @Override
  public void close() {
    if (wholeInput != null) {
      wholeInput.close();
      wholeInput = null;
    }
    if (backend != null) {
      backend.close();
      backend = null;
    }
  }
}
