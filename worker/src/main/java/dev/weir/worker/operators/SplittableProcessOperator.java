package dev.weir.worker.operators;

import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedTimer;
import dev.weir.translation.SplittableProcessPlan;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.core.DoFnRunners;
import org.apache.beam.runners.core.InMemoryBundleFinalizer;
import org.apache.beam.runners.core.KeyedWorkItem;
import org.apache.beam.runners.core.KeyedWorkItems;
import org.apache.beam.runners.core.PushbackSideInputDoFnRunner;
import org.apache.beam.runners.core.OutputAndTimeBoundedSplittableProcessElementInvoker;
import org.apache.beam.runners.core.SplittableParDoViaKeyedWorkItems.ProcessFn;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.DoFnSchemaInformation;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
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
 * Runs a splittable DoFn on unbounded input with runners-core's {@link ProcessFn}. Each (element,
 * restriction) arrives under its own key; ProcessFn processes it for at most 1 second or 10,000
 * outputs, keeps the residual in the key's state and resumes it from a processing-time timer. Its
 * watermark hold keeps this subtask's output watermark at the restriction's watermark.
 *
 * <p>What the operator holds besides the keyed state, the side inputs' contents and the elements
 * waiting for them, goes into its snapshot entries, as in {@link ParDoOperator}: a restored job
 * does not send its side inputs again.
 *
 * <p>A step is as long as a checkpoint barrier, a trigger or the next input event may wait behind
 * it, hence the short bound on its duration.
 *
 * <p>Every step of a bounded restriction goes through {@link ProgressObservingInvoker}, which keeps
 * the subtask's {@link #sourceWork()}: how much of the restrictions it was given it has done.
 */
public final class SplittableProcessOperator implements StageOperator {
  private static final int MAX_OUTPUTS_PER_STEP = 10_000;
  private static final Duration MAX_STEP_DURATION = Duration.standardSeconds(1);

  private final SplittableProcessPlan plan;
  private final InMemoryBundleFinalizer bundleFinalizer = new InMemoryBundleFinalizer();
  // With checkpoints: bundle finalizers wait for the checkpoint covering their bundle.
  private final CheckpointEpochs epochs = new CheckpointEpochs();
  private final PendingFinalizations pendingFinalizations = new PendingFinalizations();
  private OperatorContext context;
  private ProcessFn<Object, Object, Object, Object, Object> processFn;
  private PushbackSideInputDoFnRunner<KeyedWorkItem<byte[], KV<Object, Object>>, Object> runner;
  private SideInputStore sideInputs;
  // Elements (each a KV of its key and its element and restriction) waiting for side inputs.
  private PushedBackElements pushedBack;
  private KeyedStateBackend backend;
  private CurrentKey currentKey;
  private ScheduledExecutorService executor;
  private DoFnLifecycle lifecycle;
  private boolean inBundle;
  private Instant inputWatermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private final RestrictionProgress restrictionProgress = new RestrictionProgress();
  // The key (element and restriction) of the running step; ProcessFn does not pass it down.
  private ByteBuffer stepKey = ByteBuffer.allocate(0);

  public SplittableProcessOperator(SplittableProcessPlan plan) {
    this.plan = plan;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void open(OperatorContext context) throws Exception {
    this.context = context;
    this.sideInputs = new SideInputStore(plan.sideInputs());
    this.pushedBack =
        new PushedBackElements(
            (Coder<WindowedValue<Object>>)
                (Coder)
                    WindowedValues.getFullCoder(
                        plan.keyedElementCoder(), plan.elementWindowCoder()));
    this.processFn =
        (ProcessFn<Object, Object, Object, Object, Object>)
            SerializableUtils.clone(plan.processFn());
    this.backend = context.createStateBackend(plan.elementWindowCoder());
    this.currentKey =
        new CurrentKey(backend, ByteArrayCoder.of(), context.maxParallelism(), bundleFinalizer);
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "weir-sdf-" + plan.name());
              t.setDaemon(true);
              return t;
            });
    Map<String, ElementReceiver> outputs = context.outputs();
    WindowedValueMultiReceiver outputManager = new TaggedOutputs(outputs);
    PipelineOptions options = context.pipelineOptions();
    processFn.setStateInternalsFactory(key -> currentKey.stateInternals());
    processFn.setTimerInternalsFactory(key -> currentKey.timerInternals());
    processFn.setSideInputReader(sideInputs);
    processFn.setProcessElementInvoker(
        new ProgressObservingInvoker<>(
            new OutputAndTimeBoundedSplittableProcessElementInvoker(
                processFn.getFn(),
                options,
                outputManager,
                plan.mainOutputTag(),
                sideInputs,
                executor,
                MAX_OUTPUTS_PER_STEP,
                MAX_STEP_DURATION,
                () -> bundleFinalizer),
            options,
            restrictionProgress,
            () -> stepKey));
    try (AutoCloseable scope =
        MetricsEnvironment.scopedMetricsContainer(context.metricsContainer())) {
      lifecycle = new DoFnLifecycle(processFn);
      lifecycle.setup(options, plan.name());
    }
    runner =
        DoFnRunners.newProcessFnRunner(
            (ProcessFn) processFn,
            options,
            plan.sideInputs(),
            sideInputs,
            outputManager,
            (TupleTag) plan.mainOutputTag(),
            plan.additionalOutputTags(),
            currentKey,
            null,
            plan.outputCoders(),
            plan.windowingStrategy(),
            DoFnSchemaInformation.create(),
            plan.sideInputMapping());
    restore(context.restoredEntries());
  }

  /** Takes back the side inputs' contents, and the waiting elements whose keys this subtask owns. */
  private void restore(Map<String, byte[]> entries) {
    if (entries.isEmpty() || plan.sideInputs().isEmpty()) {
      return;
    }
    sideInputs.restore(entries);
    pushedBack.restore(entries, context, currentKey);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void processElement(WindowedValue<?> element) {
    KV<byte[], KV<Object, Object>> kv = (KV<byte[], KV<Object, Object>>) element.getValue();
    currentKey.set(kv.getKey());
    if (!run(
        KeyedWorkItems.elementsWorkItem(
            kv.getKey(), List.of(WindowedValues.withValue(element, kv.getValue()))))) {
      // Bundles do not matter to ProcessFn: every step is its own.
      pushedBack.add(0, (WindowedValue<Object>) element);
    }
  }

  /** Runs {@code workItem}; returns false if it waits for side inputs. */
  private boolean run(KeyedWorkItem<byte[], KV<Object, Object>> workItem) {
    stepKey = ByteBuffer.wrap(workItem.key().clone());
    try (AutoCloseable scope =
        MetricsEnvironment.scopedMetricsContainer(context.metricsContainer())) {
      if (!inBundle) {
        inBundle = true;
        runner.startBundle();
      }
      backend.setTimes(
          inputWatermark,
          null,
          context.processingTime().get(),
          context.synchronizedProcessingTime().get());
      return !runner
          .processElementInReadyWindows(WindowedValues.valueInGlobalWindow(workItem))
          .iterator()
          .hasNext();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
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

  private void retryPushedBack() {
    for (KV<Long, WindowedValue<Object>> waiting : pushedBack.takeAll()) {
      processElement(waiting.getValue());
    }
  }

  @Override
  public void advanceInputWatermark(Instant watermark) {
    inputWatermark = watermark;
    if (inputEnded()) {
      // The subtask finishes without another checkpoint, and a finished subtask is not restored.
      pendingFinalizations.runAll(context.processingTime().get(), context.metricsContainer());
    }
    // ProcessFn sets no event-time timers of its own; drop any that are due.
    backend.setTimes(
        inputWatermark,
        null,
        context.processingTime().get(),
        context.synchronizedProcessingTime().get());
    while (DueTimers.poll(backend, TimeDomain.EVENT_TIME, watermark) != null) {
      // Nothing to run.
    }
  }

  @Override
  public void advanceProcessingTime(Instant now) {
    backend.setTimes(inputWatermark, null, now, context.synchronizedProcessingTime().get());
    KeyedTimer due;
    while ((due = DueTimers.poll(backend, TimeDomain.PROCESSING_TIME, now)) != null) {
      currentKey.setBytes(due.keyBytes());
      byte[] key = (byte[]) currentKey.key();
      if (!run(KeyedWorkItems.timersWorkItem(key, List.of(due.timer())))) {
        // ProcessFn sets its timer when it processes an element, in the element's window, whose
        // side inputs were ready then; readiness is never taken back, and comes back on restore.
        throw new IllegalStateException(
            plan.name() + ": a timer of a window whose side inputs are not ready: " + due.timer());
      }
    }
  }

  @Override
  public Map<String, byte[]> snapshotState(long checkpointId) {
    // The residuals are in keyed state, which the subtask snapshots.
    epochs.seal(checkpointId);
    if (plan.sideInputs().isEmpty()) {
      return Map.of();
    }
    Map<String, byte[]> entries = new HashMap<>(sideInputs.snapshot(context.subtaskIndex()));
    entries.putAll(pushedBack.snapshot(context.subtaskIndex()));
    return entries;
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    Set<Long> covered = epochs.takeCovered(checkpointId);
    if (!covered.isEmpty()) {
      pendingFinalizations.run(
          covered, context.processingTime().get(), context.metricsContainer());
    }
  }

  private boolean inputEnded() {
    return !inputWatermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE);
  }

  @Override
  public Instant nextProcessingTimer() {
    return backend.nextTimerTimestamp(TimeDomain.PROCESSING_TIME);
  }

  @Override
  public void finishBundle() {
    if (inBundle) {
      inBundle = false;
      try (AutoCloseable scope =
          MetricsEnvironment.scopedMetricsContainer(context.metricsContainer())) {
        runner.finishBundle();
        // As in ParDoOperator: the bundle's input is safe from replay once the checkpoint
        // covering it completes.
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

  /** Called from other threads (progress reports). */
  @Override
  public @Nullable SourceWork sourceWork() {
    return restrictionProgress.work();
  }

  @Override
  public Instant watermarkHold() {
    Instant hold = backend.minWatermarkHold();
    Instant waiting = pushedBack.earliestTimestamp();
    return waiting.isBefore(hold) ? waiting : hold;
  }

  @Override
  public void close() {
    try {
      if (lifecycle != null) {
        lifecycle.teardown();
      }
    } finally {
      if (executor != null) {
        executor.shutdownNow();
        try {
          executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (backend != null) {
        backend.close();
        backend = null;
      }
    }
  }
}
