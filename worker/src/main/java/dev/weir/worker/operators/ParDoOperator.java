package dev.weir.worker.operators;

import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedTimer;
import dev.weir.translation.ParDoPlan;
import dev.weir.state.StateKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.runners.core.DoFnRunner;
import org.apache.beam.runners.core.DoFnRunners;
import org.apache.beam.runners.core.InMemoryBundleFinalizer;
import org.apache.beam.runners.core.LateDataDroppingDoFnRunner;
import org.apache.beam.runners.core.NullSideInputReader;
import org.apache.beam.runners.core.PushbackSideInputDoFnRunner;
import org.apache.beam.runners.core.SideInputReader;
import org.apache.beam.runners.core.SimplePushbackSideInputDoFnRunner;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StatefulDoFnRunner;
import org.apache.beam.runners.core.StepContext;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.runners.core.metrics.CounterCell;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricsContainer;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.DoFn.BundleFinalizer;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.util.WindowedValueMultiReceiver;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Runs a ParDo with runners-core's {@link DoFnRunners}: plain, with side inputs (elements whose
 * side inputs are not ready yet are pushed back and retried when the side watermark moves), and
 * stateful (state and timers per key in the subtask's {@link KeyedStateBackend}, garbage
 * collection and late-data dropping by {@link StatefulDoFnRunner}).
 *
 * <p>When the job takes checkpoints, effects wait for the checkpoint that covers their input
 * ({@link CheckpointEpochs}): a {@code @RequiresStableInput} DoFn sees an element only once such
 * a checkpoint has completed ({@link StableInputBuffer}), and bundle-finalization callbacks run
 * then ({@link PendingFinalizations}). Everything else it holds between bundles, side-input
 * contents and pushed-back elements, goes into its snapshot entries.
 */
public final class ParDoOperator implements StageOperator {
  private final ParDoPlan plan;
  private OperatorContext context;
  private DoFn<Object, Object> doFn;
  private DoFnRunner<Object, Object> runner;
  private @Nullable PushbackSideInputDoFnRunner<Object, Object> pushbackRunner;
  private @Nullable SideInputStore sideInputs;
  private @Nullable PushedBackElements pushedBack;
  private long bundleNumber;
  // With checkpoints: what waits for the checkpoint covering it (stable input, finalizers).
  private final CheckpointEpochs epochs = new CheckpointEpochs();
  private final PendingFinalizations pendingFinalizations = new PendingFinalizations();
  private @Nullable StableInputBuffer stableInput;
  // The input watermark the DoFn's timers and late-data dropping see: held at the earliest
  // element waiting for stable input, so the wait makes nothing late.
  private Instant timersWatermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private @Nullable CounterCell droppedDueToLateness;
  private @Nullable KeyedStateBackend backend;
  private @Nullable CurrentKey currentKey;
  private final InMemoryBundleFinalizer bundleFinalizer = new InMemoryBundleFinalizer();
  private boolean inBundle;
  private DoFnLifecycle lifecycle;
  private Instant inputWatermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  // The thread that last ran process() and its metrics holder (see process()).
  private @Nullable Thread metricsThread;
  private MetricsEnvironment.MetricsEnvironmentState metricsState;

  public ParDoOperator(ParDoPlan plan) {
    this.plan = plan;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void open(OperatorContext context) throws Exception {
    this.context = context;
    // A DoFn instance of its own: fused transforms of one expansion (a splittable DoFn's pair,
    // split and process steps) may wrap the same user DoFn, whose lifecycle is per instance.
    this.doFn = (DoFn<Object, Object>) SerializableUtils.clone(plan.doFn());
    try (AutoCloseable scope = MetricsEnvironment.scopedMetricsContainer(context.metricsContainer())) {
      lifecycle = new DoFnLifecycle(doFn);
      lifecycle.setup(context.pipelineOptions(), plan.name());
    }
    Map<String, ElementReceiver> outputs = context.outputs();
    WindowedValueMultiReceiver outputManager = new TaggedOutputs(outputs);
    SideInputReader reader = NullSideInputReader.empty();
    if (!plan.sideInputs().isEmpty()) {
      sideInputs = new SideInputStore(plan.sideInputs());
      reader = sideInputs;
    }
    StepContext stepContext = new StatelessStepContext(bundleFinalizer);
    if (plan.isKeyed()) {
      backend =
          context.createStateBackend(plan.windowingStrategy().getWindowFn().windowCoder());
      currentKey =
          new CurrentKey(backend, plan.keyCoder(), context.maxParallelism(), bundleFinalizer);
      stepContext = currentKey;
    }
    DoFnRunner<Object, Object> simple =
        DoFnRunners.simpleRunner(
            context.pipelineOptions(),
            doFn,
            reader,
            outputManager,
            (TupleTag<Object>) plan.mainOutputTag(),
            plan.additionalOutputTags(),
            stepContext,
            (Coder<Object>) plan.inputCoder(),
            plan.outputCoders(),
            plan.windowingStrategy(),
            plan.schemaInformation(),
            plan.sideInputMapping());
    if (plan.isKeyed()) {
      Coder<BoundedWindow> windowCoder =
          (Coder<BoundedWindow>) plan.windowingStrategy().getWindowFn().windowCoder();
      simple =
          DoFnRunners.defaultStatefulDoFnRunner(
              doFn,
              (Coder<Object>) plan.inputCoder(),
              simple,
              stepContext,
              plan.windowingStrategy(),
              new StatefulDoFnRunner.TimeInternalsCleanupTimer(
                  currentKey.timerInternals(), plan.windowingStrategy()),
              new StatefulDoFnRunner.StateInternalsStateCleaner(
                  doFn, currentKey.stateInternals(), windowCoder),
              true);
    }
    runner = simple;
    Coder<WindowedValue<Object>> elementCoder =
        (Coder<WindowedValue<Object>>)
            (Coder)
                WindowedValues.getFullCoder(
                    plan.inputCoder(), plan.windowingStrategy().getWindowFn().windowCoder());
    if (sideInputs != null) {
      droppedDueToLateness =
          context
              .metricsContainer()
              .getCounter(
                  MetricName.named(
                      LateDataDroppingDoFnRunner.class,
                      LateDataDroppingDoFnRunner.DROPPED_DUE_TO_LATENESS));
      pushbackRunner =
          SimplePushbackSideInputDoFnRunner.create(simple, plan.sideInputs(), sideInputs);
      pushedBack = new PushedBackElements(elementCoder);
    }
    if (context.checkpointingEnabled()
        && DoFnSignatures.getSignature(doFn.getClass()).processElement().requiresStableInput()) {
      stableInput = new StableInputBuffer(elementCoder, currentKey);
    }
    restore(context.restoredEntries());
  }

  /** Takes back what the old subtasks' snapshots hold that this subtask now owns. */
  private void restore(Map<String, byte[]> entries) {
    if (entries.isEmpty()) {
      return;
    }
    if (sideInputs != null) {
      sideInputs.restore(entries);
      pushedBack.restore(entries, context, currentKey);
    }
    if (stableInput != null) {
      stableInput
          .restore(
              entries,
              context.subtaskIndex(),
              context.parallelism(),
              context.keyGroupRange(),
              context.maxParallelism())
          .forEach(epochs::restored);
    }
  }

  private void ensureBundle() {
    if (!inBundle) {
      inBundle = true;
      if (pushbackRunner != null) {
        pushbackRunner.startBundle();
      } else {
        runner.startBundle();
      }
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void processElement(WindowedValue<?> element) {
    WindowedValue<Object> value = (WindowedValue<Object>) element;
    if (sideInputs != null) {
      value = withoutCollectedWindows(value);
      if (value == null) {
        return;
      }
    }
    if (stableInput != null) {
      // The DoFn sees it once a checkpoint holding it has completed.
      StateKey key =
          currentKey == null ? null : currentKey.encode(((KV<?, ?>) value.getValue()).getKey());
      stableInput.add(epochs.open(), key, value);
      return;
    }
    process(value, null);
  }

  /** Runs one element through the DoFn; {@code key} is the element's key if known already. */
  private void process(WindowedValue<Object> value, @Nullable StateKey key) {
    // Per element, so not MetricsEnvironment.scopedMetricsContainer: that looks the thread's
    // holder up in a ThreadLocal and allocates a scope each time, which profiled at a tenth of a
    // fused chain's time. The holder is the thread's for good, so it is looked up once per thread.
    MetricsEnvironment.MetricsEnvironmentState metrics = metricsOfThisThread();
    MetricsContainer previous = metrics.activate(context.metricsContainer());
    try {
      ensureBundle();
      if (currentKey != null) {
        updateTimes();
        if (key != null) {
          currentKey.set(key);
        } else {
          currentKey.set(((KV<?, ?>) value.getValue()).getKey());
        }
      }
      if (pushbackRunner != null) {
        for (WindowedValue<Object> pushed : pushbackRunner.processElementInReadyWindows(value)) {
          pushedBack.add(bundleNumber, pushed);
        }
      } else {
        runner.processElement(value);
      }
    } finally {
      metrics.activate(previous);
    }
  }

  private MetricsEnvironment.MetricsEnvironmentState metricsOfThisThread() {
    Thread current = Thread.currentThread();
    if (metricsThread != current) {
      metricsState = MetricsEnvironment.getMetricsEnvironmentStateForCurrentThread();
      metricsThread = current;
    }
    return metricsState;
  }

  @Override
  public void processSideInput(PCollectionView<?> view, WindowedValue<?> element) {
    if (sideInputs.add(view, element) && !pushedBack.isEmpty()) {
      retryPushedBack();
    }
  }

  @Override
  public void advanceSideInputWatermark(PCollectionView<?> view, Instant watermark) {
    if (sideInputs.advanceWatermark(view, watermark) && !pushedBack.isEmpty()) {
      retryPushedBack();
    }
  }

  /** Processes again what waited for side inputs, now that some may be ready. */
  private void retryPushedBack() {
    // The pushback runner remembers not-ready windows for the rest of a bundle.
    finishBundle();
    List<KV<Long, WindowedValue<Object>>> retry = pushedBack.takeAll();
    for (int i = 0; i < retry.size(); i++) {
      if (i > 0 && !retry.get(i).getKey().equals(retry.get(i - 1).getKey())) {
        finishBundle();
      }
      process(retry.get(i).getValue(), null);
    }
  }

  @Override
  public void advanceInputWatermark(Instant watermark) {
    inputWatermark = watermark;
    // At the end of the input the subtask finishes without another checkpoint, and a finished
    // subtask is not restored: what waits for a checkpoint goes out now, and from here on
    // finalizers run when their bundle ends.
    if (stableInput != null && inputEnded()) {
      processStableInput(stableInput.labels());
    }
    if (inputEnded()) {
      pendingFinalizations.runAll(context.processingTime().get(), context.metricsContainer());
    }
    fireTimers(TimeDomain.EVENT_TIME, moveTimersWatermark());
    if (sideInputs != null) {
      collectSideInputGarbage();
    }
  }

  /**
   * {@code value} without the windows whose side inputs may have been collected already (it came
   * after they expired; see {@link #collectSideInputGarbage}), counted as dropped for lateness,
   * as Beam allows for expired data; null if no window is left.
   */
  private @Nullable WindowedValue<Object> withoutCollectedWindows(WindowedValue<Object> value) {
    Duration lateness = plan.windowingStrategy().getAllowedLateness();
    List<BoundedWindow> kept = new ArrayList<>();
    for (BoundedWindow window : value.getWindows()) {
      boolean readable = true;
      for (PCollectionView<?> view : plan.sideInputs()) {
        readable &= !sideInputs.collected(view, window, lateness);
      }
      if (readable) {
        kept.add(window);
      }
    }
    if (kept.size() == value.getWindows().size()) {
      return value;
    }
    droppedDueToLateness.inc(value.getWindows().size() - kept.size());
    return kept.isEmpty()
        ? null
        : WindowedValues.of(value.getValue(), value.getTimestamp(), kept, value.getPaneInfo());
  }

  /**
   * Drops side-input windows no main-input element can read any more. Elements that arrive
   * expired are dropped ({@link #withoutCollectedWindows}); those waiting here, pushed back or for
   * stable input, were not expired when they came, so the horizon stays before their windows'
   * expiry.
   */
  private void collectSideInputGarbage() {
    if (inputEnded()) {
      // The subtask ends soon and frees everything; an element a fused operator before this one
      // emits when its last bundle ends may still come, and must find its side inputs.
      return;
    }
    Duration lateness = plan.windowingStrategy().getAllowedLateness();
    Instant horizon = inputWatermark;
    Instant waiting = pushedBack.earliestWindowEnd();
    if (stableInput != null && stableInput.earliestTimestamp().isBefore(waiting)) {
      waiting = stableInput.earliestTimestamp();
    }
    if (waiting.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)
        && waiting.plus(lateness).isBefore(horizon)) {
      horizon = waiting.plus(lateness);
    }
    sideInputs.collectGarbage(horizon, lateness);
  }

  /** The input watermark, held at the earliest element waiting for stable input. */
  private Instant moveTimersWatermark() {
    Instant target = inputWatermark;
    if (stableInput != null && stableInput.earliestTimestamp().isBefore(target)) {
      target = stableInput.earliestTimestamp();
    }
    if (target.isAfter(timersWatermark)) {
      timersWatermark = target;
    }
    return timersWatermark;
  }

  /** Runs the stable-input elements under {@code labels} through the DoFn, as one bundle. */
  private void processStableInput(Set<Long> labels) {
    List<StableInputBuffer.Released> released = stableInput.release(labels);
    if (released.isEmpty()) {
      return;
    }
    finishBundle();
    for (StableInputBuffer.Released r : released) {
      process(r.element(), r.key());
    }
    finishBundle();
  }

  @Override
  public Map<String, byte[]> snapshotState(long checkpointId) {
    epochs.seal(checkpointId);
    Map<String, byte[]> entries = new HashMap<>();
    int subtask = context.subtaskIndex();
    if (sideInputs != null) {
      entries.putAll(sideInputs.snapshot(subtask));
      entries.putAll(pushedBack.snapshot(subtask));
    }
    if (stableInput != null) {
      entries.putAll(stableInput.snapshot(subtask));
    }
    return entries;
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    Set<Long> covered = epochs.takeCovered(checkpointId);
    if (covered.isEmpty()) {
      return;
    }
    if (stableInput != null) {
      processStableInput(covered);
      // The hold of what was released is gone: timers it held back may be due now.
      fireTimers(TimeDomain.EVENT_TIME, moveTimersWatermark());
      finishBundle();
    }
    pendingFinalizations.run(
        covered, context.processingTime().get(), context.metricsContainer());
  }

  private boolean inputEnded() {
    return !inputWatermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE);
  }

  @Override
  public void advanceProcessingTime(Instant now) {
    fireTimers(TimeDomain.PROCESSING_TIME, now);
  }

  @Override
  public void advanceSynchronizedProcessingTime(Instant time) {
    fireTimers(TimeDomain.SYNCHRONIZED_PROCESSING_TIME, time);
  }

  @Override
  public @Nullable Instant nextProcessingTimer() {
    return backend == null ? null : backend.nextTimerTimestamp(TimeDomain.PROCESSING_TIME);
  }

  @Override
  public @Nullable Instant nextSynchronizedProcessingTimer() {
    return backend == null
        ? null
        : backend.nextTimerTimestamp(TimeDomain.SYNCHRONIZED_PROCESSING_TIME);
  }

  private void updateTimes() {
    backend.setTimes(
        timersWatermark,
        null,
        context.processingTime().get(),
        context.synchronizedProcessingTime().get());
  }

  private void fireTimers(TimeDomain domain, Instant upTo) {
    if (backend == null) {
      return;
    }
    updateTimes();
    KeyedTimer due;
    while ((due = DueTimers.poll(backend, domain, upTo)) != null) {
      try (AutoCloseable scope =
          MetricsEnvironment.scopedMetricsContainer(context.metricsContainer())) {
        ensureBundle();
        currentKey.setBytes(due.keyBytes());
        TimerData timer = due.timer();
        BoundedWindow window = windowOf(timer.getNamespace());
        if (pushbackRunner != null) {
          pushbackRunner.onTimer(
              timer.getTimerId(),
              timer.getTimerFamilyId(),
              currentKey.key(),
              window,
              timer.getTimestamp(),
              timer.getOutputTimestamp(),
              timer.getDomain());
        } else {
          runner.onTimer(
              timer.getTimerId(),
              timer.getTimerFamilyId(),
              currentKey.key(),
              window,
              timer.getTimestamp(),
              timer.getOutputTimestamp(),
              timer.getDomain());
        }
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }
  }

  static BoundedWindow windowOf(StateNamespace namespace) {
    if (namespace instanceof StateNamespaces.WindowNamespace) {
      return ((StateNamespaces.WindowNamespace<?>) namespace).getWindow();
    }
    if (namespace instanceof StateNamespaces.WindowAndTriggerNamespace) {
      return ((StateNamespaces.WindowAndTriggerNamespace<?>) namespace).getWindow();
    }
    return GlobalWindow.INSTANCE;
  }

  @Override
  public void finishBundle() {
    if (inBundle) {
      inBundle = false;
      bundleNumber++;
      try (AutoCloseable scope =
          MetricsEnvironment.scopedMetricsContainer(context.metricsContainer())) {
        if (pushbackRunner != null) {
          pushbackRunner.finishBundle();
        } else {
          runner.finishBundle();
        }
        // The bundle's input is safe from replay once the checkpoint covering it completes.
        pendingFinalizations.bundleEnded(
            bundleFinalizer,
            context.checkpointingEnabled() && !inputEnded(),
            epochs.open(),
            context.processingTime().get());
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }
  }

  @Override
  public Instant watermarkHold() {
    Instant hold = backend == null ? BoundedWindow.TIMESTAMP_MAX_VALUE : backend.minWatermarkHold();
    if (pushedBack != null && pushedBack.earliestTimestamp().isBefore(hold)) {
      hold = pushedBack.earliestTimestamp();
    }
    if (stableInput != null && stableInput.earliestTimestamp().isBefore(hold)) {
      hold = stableInput.earliestTimestamp();
    }
    return hold;
  }

  @Override
  public void close() {
    try {
      if (lifecycle != null) {
        lifecycle.teardown();
      }
    } finally {
      if (backend != null) {
        backend.close();
        backend = null;
      }
    }
  }

  /** Step context of a ParDo without state: Beam's runners never ask it for state. */
  private static final class StatelessStepContext implements StepContext {
    private final BundleFinalizer bundleFinalizer;

    StatelessStepContext(BundleFinalizer bundleFinalizer) {
      this.bundleFinalizer = bundleFinalizer;
    }

    @Override
    public BundleFinalizer bundleFinalizer() {
      return bundleFinalizer;
    }

    @Override
    public org.apache.beam.runners.core.StateInternals stateInternals() {
      throw new UnsupportedOperationException("This ParDo has no state");
    }

    @Override
    public org.apache.beam.runners.core.TimerInternals timerInternals() {
      throw new UnsupportedOperationException("This ParDo has no timers");
    }
  }
}
