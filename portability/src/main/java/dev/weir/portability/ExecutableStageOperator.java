package dev.weir.portability;

import dev.weir.worker.operators.CheckpointEpochs;
import dev.weir.worker.operators.ElementReceiver;
import dev.weir.worker.operators.OperatorContext;
import dev.weir.worker.operators.StageOperator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import dev.weir.state.KeyedTimer;
import org.apache.beam.model.fnexecution.v1.BeamFnApi;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import java.util.function.ToIntFunction;
import org.apache.beam.runners.core.LateDataDroppingDoFnRunner;
import org.apache.beam.runners.core.LateDataUtils;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.runners.core.StatefulDoFnRunner;
import org.apache.beam.runners.core.metrics.CounterCell;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.runners.fnexecution.control.BundleProgressHandler;
import org.apache.beam.runners.fnexecution.control.ExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.OutputReceiverFactory;
import org.apache.beam.runners.fnexecution.control.RemoteBundle;
import org.apache.beam.runners.fnexecution.control.StageBundleFactory;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.StateKey;
import org.apache.beam.runners.fnexecution.state.StateRequestHandler;
import org.apache.beam.runners.fnexecution.state.StateRequestHandlers;
import org.apache.beam.runners.fnexecution.wire.WireCoders;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.fn.data.FnDataReceiver;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Runs an executable stage in an SDK harness: the subtask's elements go into a remote bundle over
 * the Fn API data plane, and what the harness outputs comes back to the subtask's receivers. The
 * remote bundle ends with the subtask's bundle (so nothing is in flight when a watermark moves on)
 * or after {@link #MAX_BUNDLE_ELEMENTS} elements.
 *
 * <p>Side inputs arrive on broadcast edges. Of a bounded pipeline they are kept until complete;
 * main-input elements wait for them (holding the watermark), then the harness's side-input
 * requests are answered from them. Of a pipeline with unbounded PCollections they are ready window
 * by window ({@link WindowedSideInputs}): a main-input element waits until the side-input windows
 * it reads are ready, in the operator's snapshot entries, holding the output watermark.
 *
 * <p>A stage with user state or timers reads its input over a keyed exchange; the harness's state
 * requests are answered from the subtask's keyed state backend ({@link UserStateBags}), which also
 * keeps the timers the harness sets ({@link StageTimers}) until time passes them.
 *
 * <p>A stage that starts with a splittable DoFn's processing reads its input keyed by the element;
 * the residuals its harness hands back wait in the keyed state backend for their processing-time
 * timers ({@link SdfResiduals}), then go back to the harness as input. Bundles whose user code
 * registered finalization callbacks are finalized once their output is committed ({@link
 * BundleFinalizations}).
 *
 * <p>Beam's data client hands the harness's output to the thread that closes the bundle, so the
 * receivers run on the subtask's thread. Its inbound queue holds 100 data messages; a bundle whose
 * output overflows that before the harness answers would stall, which the element cap makes
 * unlikely (Flink's portable runner caps its bundles the same way).
 */
final class ExecutableStageOperator implements StageOperator {
  static final int MAX_BUNDLE_ELEMENTS = 1000;

  private final ExecutableStagePlan plan;
  private final SideInputContents sideInputs;
  // Main-input elements that arrived before the side inputs were complete.
  private final List<WindowedValue<?>> pushedBack = new ArrayList<>();
  // Instead of the two above, of a pipeline with unbounded PCollections: side inputs per window.
  private @Nullable WindowedSideInputs windowedSideInputs;
  private final List<SideInputView> views = new ArrayList<>();
  private long bundleNumber;
  private @Nullable ExecutableStage stage;
  private @Nullable StateRequestHandler stateRequests;
  private @Nullable UserStateBags userState;
  private @Nullable StageTimers timers;
  // Of a splittable DoFn's stage: the residuals the harness hands back, waiting to resume.
  private @Nullable SdfResiduals residuals;
  private @Nullable BundleFinalizations finalizations;
  // With checkpoints: which checkpoint covers a bundle whose finalization waits for it.
  private final CheckpointEpochs epochs = new CheckpointEpochs();
  private OperatorContext context;
  private Instant inputWatermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private @Nullable ExecutableStageContext stageContext;
  private @Nullable StageBundleFactory bundles;
  private Map<String, ElementReceiver> outputs;
  private MetricsContainerImpl metrics;
  private @Nullable RemoteBundle bundle;
  private @Nullable FnDataReceiver<WindowedValue<?>> input;
  private int elementsInBundle;
  // Of a stage with user state or timers: the input's allowed lateness, and the counter of the
  // elements dropped because their window had expired (StatefulDoFnRunner's, as in a classic job).
  private Duration allowedLateness = Duration.ZERO;
  private @Nullable CounterCell droppedDueToLateness;
  private @Nullable CounterCell droppedAfterSideInputs;

  ExecutableStageOperator(ExecutableStagePlan plan) {
    this.plan = plan;
    for (PCollectionView<?> view : plan.sideInputs()) {
      views.add((SideInputView) view);
    }
    this.sideInputs = new SideInputContents(views);
  }

  @Override
  public void open(OperatorContext context) {
    this.context = context;
    outputs = context.outputs();
    metrics = context.metricsContainer();
    stageContext = StageContexts.get(plan.jobInfo());
    stage = plan.stage();
    bundles = stageContext.getStageBundleFactory(stage);
    finalizations = new BundleFinalizations(bundles.getInstructionRequestHandler());
    // Every stage: a stateful stage drops late data by it, and side inputs expire by it.
    allowedLateness = inputAllowedLateness(stage);
    if (plan.isKeyed()) {
      Coder<? extends BoundedWindow> windowCoder = inputWindowCoder(stage);
      if (plan.isStateful()) {
        droppedDueToLateness =
            metrics.getCounter(
                MetricName.named(
                    StatefulDoFnRunner.class, StatefulDoFnRunner.DROPPED_DUE_TO_LATENESS_COUNTER));
      }
      userState =
          new UserStateBags(
              context.createStateBackend(windowCoder), context.maxParallelism(), allowedLateness);
      if (!stage.getTimers().isEmpty()) {
        timers = new StageTimers(userState, bundles, windowCoder);
      }
      if (plan.isSplittable()) {
        residuals =
            new SdfResiduals(
                userState, inputCoder(stage), context.maxParallelism(), context.processingTime());
      }
    }
    if (!views.isEmpty() && views.get(0).windowed()) {
      openWindowedSideInputs();
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void openWindowedSideInputs() {
    Coder<WindowedValue<Object>> inputCoder = (Coder) inputCoder(stage);
    windowedSideInputs = new WindowedSideInputs(views, inputCoder, stage.getComponents());
    // As a classic ParDo with side inputs counts elements that came after their window expired.
    droppedAfterSideInputs =
        metrics.getCounter(
            MetricName.named(
                LateDataDroppingDoFnRunner.class, LateDataDroppingDoFnRunner.DROPPED_DUE_TO_LATENESS));
    ToIntFunction<WindowedValue<Object>> keyGroupOf = null;
    if (residuals != null) {
      // A splittable stage's exchange routed the element by the SDF's element alone.
      keyGroupOf = residuals::keyGroupOf;
    } else if (userState != null) {
      // The key's bytes in its runner wire coder: what the keyed exchange routed the element by.
      Coder<Object> keyCoder =
          ((KvCoder<Object, Object>)
                  ((WindowedValues.FullWindowedValueCoder) inputCoder).getValueCoder())
              .getKeyCoder();
      keyGroupOf =
          element ->
              userState
                  .stateKey(((KV<Object, Object>) element.getValue()).getKey(), keyCoder)
                  .keyGroup();
    }
    windowedSideInputs.restore(context.restoredEntries(), context, keyGroupOf);
  }

  /** Read from the proto: the window fn may be another SDK's, unknown to Java. */
  private static Duration inputAllowedLateness(ExecutableStage stage) {
    RunnerApi.Components components = stage.getComponents();
    String strategy =
        components
            .getPcollectionsOrThrow(stage.getInputPCollection().getId())
            .getWindowingStrategyId();
    return Duration.millis(components.getWindowingStrategiesOrThrow(strategy).getAllowedLateness());
  }

  private static Coder<? extends BoundedWindow> inputWindowCoder(ExecutableStage stage) {
    Coder<WindowedValue<?>> wire = inputCoder(stage);
    if (!(wire instanceof WindowedValues.FullWindowedValueCoder)) {
      throw new IllegalStateException("A keyed stage's input has no windows: " + wire);
    }
    return ((WindowedValues.FullWindowedValueCoder<?>) (Coder<?>) wire).getWindowCoder();
  }

  /** The input's runner wire coder: the bytes the data plane and the harness's residuals use. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Coder<WindowedValue<?>> inputCoder(ExecutableStage stage) {
    try {
      return (Coder)
          WireCoders.instantiateRunnerWireCoder(stage.getInputPCollection(), stage.getComponents());
    } catch (IOException e) {
      throw new IllegalStateException("Cannot make the input coder of " + stage, e);
    }
  }

  /** Side inputs and user state, by request type; anything else the harness asks is refused. */
  private StateRequestHandler stateRequests() throws IOException {
    Map<StateKey.TypeCase, StateRequestHandler> byType =
        windowedSideInputs != null
            ? windowedSideInputs.handlers(stage)
            : sideInputs.handlers(stage);
    if (userState != null) {
      byType.put(
          StateKey.TypeCase.BAG_USER_STATE,
          StateRequestHandlers.forBagUserStateHandlerFactory(
              bundles.getProcessBundleDescriptor(), userState));
    }
    return byType.isEmpty()
        ? StateRequestHandler.unsupported()
        : StateRequestHandlers.delegateBasedUponType(new EnumMap<>(byType));
  }

  @Override
  public void processSideInput(PCollectionView<?> view, WindowedValue<?> element) {
    if (windowedSideInputs != null) {
      if (windowedSideInputs.add(view, element)) {
        sideInputsMoved();
      }
      return;
    }
    sideInputs.add(view.getTagInternal().getId(), element);
  }

  @Override
  public void advanceSideInputWatermark(PCollectionView<?> view, Instant watermark) {
    if (windowedSideInputs != null) {
      if (windowedSideInputs.advanceWatermark(view, watermark)) {
        sideInputsMoved();
      }
      return;
    }
    if (sideInputs.watermarkAdvanced(view.getTagInternal().getId(), watermark)) {
      List<WindowedValue<?>> waiting = new ArrayList<>(pushedBack);
      pushedBack.clear();
      for (WindowedValue<?> element : waiting) {
        processElement(element);
      }
    }
  }

  /**
   * Side-input windows may be ready now: what waits for them goes to the harness (in a bundle of
   * its own: the harness may have read a window of the open bundle that has changed since), and
   * timers held back for them fire.
   */
  private void sideInputsMoved() {
    if (windowedSideInputs.anyWaiting()) {
      finishBundle();
      for (KV<Long, WindowedValue<Object>> waiting : windowedSideInputs.takeWaiting()) {
        // Those whose windows are still not ready wait again.
        for (WindowedValue<Object> ready :
            windowedSideInputs.readyOrWaiting(waiting.getValue(), waiting.getKey())) {
          send(ready);
        }
      }
      finishBundle();
    }
    fireTimers(TimeDomain.EVENT_TIME, inputWatermark);
    fireTimers(TimeDomain.PROCESSING_TIME, context.processingTime().get());
  }

  @Override
  public void advanceInputWatermark(Instant watermark) {
    inputWatermark = watermark;
    fireTimers(TimeDomain.EVENT_TIME, watermark);
    if (windowedSideInputs != null) {
      windowedSideInputs.collectGarbage(watermark, allowedLateness);
    }
  }

  @Override
  public void advanceProcessingTime(Instant now) {
    fireTimers(TimeDomain.PROCESSING_TIME, now);
  }

  @Override
  public @Nullable Instant nextProcessingTimer() {
    return userState == null ? null : userState.next(TimeDomain.PROCESSING_TIME);
  }

  /**
   * Sends the timers of {@code domain} that {@code time} passed to the harness, in bundles of their
   * own, with the residuals whose resume time passed, then clears the state of the windows whose
   * cleanup time passed. A fired timer may set timers that are due already (they arrive when its
   * bundle ends), so this repeats until none is due, or until residuals were resumed.
   */
  private void fireTimers(TimeDomain domain, Instant time) {
    if (userState == null || (windowedSideInputs == null && !sideInputs.complete())) {
      // Elements wait for side inputs, and so do timers: the next time advance fires them.
      return;
    }
    // Of windowed side inputs: timers of windows not ready yet, set again once this is done.
    List<KeyedTimer> held = new ArrayList<>();
    userState.setTimes(
        inputWatermark, context.processingTime().get(), context.synchronizedProcessingTime().get());
    List<KeyedTimer> due;
    while (!(due = userState.takeDue(domain, time)).isEmpty()) {
      List<KeyedTimer> cleanups = new ArrayList<>();
      List<KeyedTimer> harnessTimers = new ArrayList<>();
      List<KeyedTimer> resumed = new ArrayList<>();
      for (KeyedTimer timer : due) {
        if (SdfResiduals.isResidual(timer)) {
          // Not held for side inputs: its element was let through once, so the side-input
          // windows it reads were ready, and they stay ready (its timer's namespace is global).
          resumed.add(timer);
          continue;
        }
        if (windowedSideInputs != null && !windowedSideInputs.ready(windowOf(timer))) {
          // Its callback may read side inputs, and its window's cleanup must come after it.
          held.add(timer);
          continue;
        }
        if (UserStateBags.isCleanup(timer)) {
          cleanups.add(timer);
        } else {
          harnessTimers.add(timer);
        }
      }
      if (!harnessTimers.isEmpty() || !resumed.isEmpty()) {
        finishBundle();
        try {
          startBundle();
        } catch (Exception e) {
          throw new IllegalStateException("Cannot start a bundle of " + plan.name(), e);
        }
        for (KeyedTimer timer : harnessTimers) {
          timers.fire(timer, bundle);
        }
        // Each residual goes back to the harness as an element of the stage's input.
        for (KeyedTimer timer : resumed) {
          try {
            input.accept(residuals.take(timer));
          } catch (Exception e) {
            throw new IllegalStateException("Cannot send a residual to the SDK harness", e);
          }
        }
      }
      // After the window's last timers have run (their state writes are in once the bundle ends).
      finishBundle();
      for (KeyedTimer cleanup : cleanups) {
        userState.cleanUp(cleanup);
      }
      if (!resumed.isEmpty()) {
        // A residual that resumes at once is due again already: the next time advance resumes
        // it, so a splittable DoFn that keeps resuming does not keep the subtask from its input
        // and its barriers.
        break;
      }
    }
    for (KeyedTimer timer : held) {
      userState.setAgain(timer);
    }
  }

  private BoundedWindow windowOf(KeyedTimer timer) {
    StateNamespace namespace = timer.timer().getNamespace();
    if (namespace instanceof StateNamespaces.WindowNamespace) {
      return ((StateNamespaces.WindowNamespace<?>) namespace).getWindow();
    }
    return GlobalWindow.INSTANCE;
  }

  /**
   * Elements waiting for side inputs hold the output watermark at their earliest timestamp, and
   * pending timers at their output timestamps.
   */
  @Override
  public Instant watermarkHold() {
    Instant hold = userState == null ? BoundedWindow.TIMESTAMP_MAX_VALUE : userState.hold();
    if (windowedSideInputs != null && windowedSideInputs.hold().isBefore(hold)) {
      hold = windowedSideInputs.hold();
    }
    for (WindowedValue<?> element : pushedBack) {
      if (element.getTimestamp().isBefore(hold)) {
        hold = element.getTimestamp();
      }
    }
    return hold;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void processElement(WindowedValue<?> element) {
    if (plan.isStateful()) {
      element = withoutExpiredWindows(element);
      if (element == null) {
        return;
      }
    }
    if (windowedSideInputs != null) {
      WindowedValue<Object> readable =
          windowedSideInputs.withoutCollectedWindows(
              (WindowedValue<Object>) element, allowedLateness, droppedAfterSideInputs::inc);
      if (readable == null) {
        return;
      }
      for (WindowedValue<Object> ready : windowedSideInputs.readyOrWaiting(readable, bundleNumber)) {
        send(ready);
      }
      return;
    }
    if (!sideInputs.complete()) {
      pushedBack.add(element);
      return;
    }
    send(element);
  }

  /** Sends {@code element} to the harness, in the open bundle or a new one. */
  private void send(WindowedValue<?> element) {
    try {
      if (bundle == null) {
        startBundle();
      }
      input.accept(element);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot send an element to the SDK harness", e);
    }
    if (++elementsInBundle >= MAX_BUNDLE_ELEMENTS) {
      finishBundle();
    }
  }

  /**
   * {@code element} without the windows that expired before it came (their end plus the allowed
   * lateness is behind the input watermark), each counted as dropped; null if none is left. As a
   * classic stateful ParDo's {@link StatefulDoFnRunner} drops them: the window's state may be
   * cleared already, and the harness, which caches user state across bundles, must not see it.
   */
  private @Nullable WindowedValue<?> withoutExpiredWindows(WindowedValue<?> element) {
    List<BoundedWindow> kept = new ArrayList<>();
    for (BoundedWindow window : element.getWindows()) {
      if (LateDataUtils.garbageCollectionTime(window, allowedLateness).isBefore(inputWatermark)) {
        droppedDueToLateness.inc();
      } else {
        kept.add(window);
      }
    }
    if (kept.size() == element.getWindows().size()) {
      return element;
    }
    return kept.isEmpty()
        ? null
        : WindowedValues.of(
            element.getValue(), element.getTimestamp(), kept, element.getPaneInfo());
  }

  @SuppressWarnings("unchecked")
  private void startBundle() throws Exception {
    bundleNumber++;
    OutputReceiverFactory receivers =
        new OutputReceiverFactory() {
          @Override
          public <OutputT> FnDataReceiver<OutputT> create(String pcollection) {
            ElementReceiver receiver = outputs.get(pcollection);
            if (receiver == null) {
              throw new IllegalStateException(
                  plan.name() + " has no output " + pcollection + "; it has " + outputs.keySet());
            }
            return element -> receiver.accept((WindowedValue<?>) element);
          }
        };
    BundleProgressHandler progress =
        new BundleProgressHandler() {
          @Override
          public void onProgress(BeamFnApi.ProcessBundleProgressResponse response) {
            // Progress reports repeat the bundle's values so far: only the final one counts.
          }

          @Override
          public void onCompleted(BeamFnApi.ProcessBundleResponse response) {
            TransformMetrics.update(
                context,
                metrics,
                stage.getComponents(),
                SdkDistributionLayout.inModelLayout(
                    response.getMonitoringInfosList(),
                    () -> metrics.getCounter(SdkDistributionLayout.MARK).inc()));
          }
        };
    if (stateRequests == null) {
      stateRequests = stateRequests();
    }
    bundle =
        bundles.getBundle(
            receivers,
            timers == null ? null : timers.receivers(),
            stateRequests,
            progress,
            finalizations,
            // Without one, Beam's bundle fails on a response with residuals, as it should.
            residuals);
    Map<String, FnDataReceiver> inputs = bundle.getInputReceivers();
    if (inputs.size() != 1) {
      throw new IllegalStateException(
          plan.name() + " expects one input of the harness, got " + inputs.keySet());
    }
    input = inputs.values().iterator().next();
  }

  @Override
  public void finishBundle() {
    RemoteBundle ending = bundle;
    if (ending != null) {
      bundle = null;
      input = null;
      elementsInBundle = 0;
      try {
        // Delivers the harness's output to the receivers, then fails if the user code failed;
        // keeps the residuals and notes the finalization the harness asked for.
        ending.close();
      } catch (Exception e) {
        throw new StageFailedException(plan.name(), e);
      }
      // The bundle's output is committed once the checkpoint covering it completes; without
      // checkpoints nothing will be replayed.
      finalizations.bundleEnded(context.checkpointingEnabled() && !done(), epochs.open());
    }
    if (finalizations.waiting() && done()) {
      // The subtask finishes without another checkpoint, and a finished subtask is not restored
      // (as a classic ParDo's callbacks run then).
      finalizations.all();
    }
  }

  /**
   * True once the input has ended and no timer or residual is left: the subtask is about to
   * finish. Until then, a subtask whose input has ended still takes checkpoints.
   */
  private boolean done() {
    return !inputWatermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)
        && nextProcessingTimer() == null;
  }

  @Override
  public Map<String, byte[]> snapshotState(long checkpointId) {
    // User state, timers and residuals are in the keyed backend, which the subtask snapshots;
    // side-input contents and the elements waiting for them are operator entries.
    epochs.seal(checkpointId);
    return windowedSideInputs == null
        ? Map.of()
        : windowedSideInputs.snapshot(context.subtaskIndex());
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    finalizations.checkpointCompleted(epochs.takeCovered(checkpointId));
  }

  @Override
  public void close() {
    RemoteBundle open = bundle;
    bundle = null;
    try {
      if (open != null) {
        open.close();
      }
    } catch (Exception e) {
      // The subtask is failing already; its failure is the one to report.
    } finally {
      try {
        closeFactories();
      } finally {
        if (userState != null) {
          userState.close();
          userState = null;
        }
      }
    }
  }

  private void closeFactories() {
    try {
      if (bundles != null) {
        bundles.close();
      }
      if (stageContext != null) {
        stageContext.close();
      }
    } catch (Exception e) {
      throw new IllegalStateException("Cannot release the SDK harness of " + plan.name(), e);
    } finally {
      bundles = null;
      stageContext = null;
    }
  }
}
