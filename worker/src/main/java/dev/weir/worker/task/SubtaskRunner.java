package dev.weir.worker.task;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.translation.EdgePlan;
import dev.weir.translation.ExchangeKind;
import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.PCollectionPlan;
import dev.weir.translation.StagePlan;
import dev.weir.worker.exchange.ChannelEvent;
import dev.weir.worker.exchange.ChannelId;
import dev.weir.worker.exchange.ChannelWriter;
import dev.weir.worker.exchange.DataExchange;
import dev.weir.worker.exchange.InputGate;
import dev.weir.worker.operators.ElementReceiver;
import dev.weir.worker.operators.OperatorContext;
import dev.weir.worker.operators.SourceControl;
import dev.weir.worker.operators.StageOperator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.joda.time.Instant;

/**
 * Runs one subtask on its own thread: builds the stage's operators, reads the input gate, and
 * moves elements, watermarks and end of input through the fused operators to the output edges.
 *
 * <p>The input watermark is the minimum over all input channels, side inputs included. After each
 * watermark advance the operators fire their timers in topological order, each seeing the minimum
 * of the input watermark and the holds of the operators before it; the subtask then ends the
 * bundle and forwards the minimum over everything. A bundle also ends when input is idle or large.
 */
final class SubtaskRunner implements Runnable, SourceControl {
  private static final long IDLE_POLL_MILLIS = 10;
  private static final int MAX_BUNDLE_ELEMENTS = 100_000;
  private static final long PROCESSING_TIME_TICK_MILLIS = 5;
  private static final long FLUSH_INTERVAL_MILLIS = 10;
  private static final int MAX_FINAL_TIMER_ROUNDS = 1_000_000;
  // After every timer of the synchronized domain, even one set at the end of time.
  private static final Instant END_OF_SYNCHRONIZED_TIME = BoundedWindow.TIMESTAMP_MAX_VALUE.plus(1);
  private static final java.time.Duration QUIESCENCE_WAIT = java.time.Duration.ofSeconds(60);
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SubtaskRunner.class);

  private final TaskDeployment deployment;
  private final DataExchange exchange;
  private final StateBackendFactory backends;
  private final TaskListener listener;
  private final Supplier<Instant> clock;
  private final MetricsContainerStepMap metrics = new MetricsContainerStepMap();

  private ExecutionPlan plan;
  private StagePlan stage;
  private final List<StageOperator> operators = new ArrayList<>();
  private final List<EdgeOutput> outputs = new ArrayList<>();
  // One per PCollection of the pipeline that this subtask produces.
  private final List<CountingFanOut> elementCounts = new ArrayList<>();
  private InputGate gate;

  // Per input channel, by gate index.
  private Coder<WindowedValue<?>>[] channelCoder;
  private ElementReceiver[] channelReceiver;
  private PCollectionView<?>[] channelView;
  private Instant[] channelWatermark;
  private Instant[] channelProcessingTime;
  private boolean[] channelEnded;

  // On a test clock, processing time is the minimum over the open input channels, like a watermark.
  private boolean testClock;
  private @org.checkerframework.checker.nullness.qual.Nullable JobActivity activity;
  private Instant processingTime = BoundedWindow.TIMESTAMP_MIN_VALUE;
  // On the wall clock: what every upstream subtask has reached (a source: its own clock).
  private SynchronizedProcessingTime synchronizedTime = new SynchronizedProcessingTime(0);

  // Written by this subtask's thread, read by the coordinator's no-progress check.
  private volatile Instant inputWatermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private volatile Instant outputWatermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private volatile long handledEvents;
  private volatile boolean busy = true;
  private volatile @org.checkerframework.checker.nullness.qual.Nullable Instant nextProcessingTimer;
  private final Map<String, Instant> sideWatermarks = new HashMap<>();
  private final Map<String, List<StageOperator>> sideReaders = new HashMap<>();
  private int bundleElements;

  SubtaskRunner(
      TaskDeployment deployment,
      DataExchange exchange,
      StateBackendFactory backends,
      TaskListener listener,
      Supplier<Instant> clock) {
    this.deployment = deployment;
    this.exchange = exchange;
    this.backends = backends;
    this.listener = listener;
    this.clock = clock;
  }

  @Override
  public void run() {
    TaskId id = deployment.taskId();
    Thread.currentThread().setName("weir-subtask-" + id);
    Throwable failure = null;
    try {
      setUp();
      if (gate == null) {
        for (StageOperator op : operators) {
          op.start(this);
        }
      } else {
        consumeInput();
      }
      finishInput();
    } catch (Throwable t) {
      failure = t;
    } finally {
      failure = tearDown(failure);
    }
    // Also after a failure: counted elements are attempted, like a user counter's increments.
    publishElementCounts();
    Map<ChannelId, Long> sent = new HashMap<>();
    for (EdgeOutput output : outputs) {
      output.addElementsSent(sent);
    }
    SubtaskSummary summary = new SubtaskSummary(metrics, sent);
    // The subtask is over: a cancel's interrupt must not break the report of its end.
    Thread.interrupted();
    if (failure == null) {
      listener.taskFinished(id, summary);
    } else {
      listener.taskFailed(id, rootUserCause(failure), summary);
    }
  }

  @SuppressWarnings("unchecked")
  private void setUp() throws Exception {
    TaskId id = deployment.taskId();
    plan =
        (ExecutionPlan)
            SerializableUtils.deserializeFromByteArray(deployment.serializedPlan(), "plan");
    stage = plan.stage(id.stage());
    testClock = plan.testClock();
    activity = testClock ? JobActivity.of(id.jobId()) : null;
    PipelineOptions options = deployment.options().get();
    KeyGroupRange keyGroups =
        KeyGroupRange.forSubtask(id.subtask(), stage.parallelism(), plan.maxParallelism());

    // Who consumes each PCollection inside the stage.
    Map<String, List<ElementReceiver>> consumers = new HashMap<>();
    List<OperatorPlan> opPlans = stage.operators();
    for (OperatorPlan opPlan : opPlans) {
      StageOperator op = OperatorFactory.create(opPlan);
      operators.add(op);
      for (String input : opPlan.inputs()) {
        consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(op::processElement);
      }
      for (PCollectionView<?> view : opPlan.sideInputs()) {
        sideReaders.computeIfAbsent(view.getTagInternal().getId(), k -> new ArrayList<>()).add(op);
      }
    }
    for (int edgeId : stage.outputEdges()) {
      EdgePlan edge = plan.edge(edgeId);
      EdgeOutput output = openOutput(edge);
      outputs.add(output);
      consumers.computeIfAbsent(edge.producerPCollection(), k -> new ArrayList<>()).add(output);
    }

    for (int i = 0; i < operators.size(); i++) {
      OperatorPlan opPlan = opPlans.get(i);
      Map<String, ElementReceiver> opOutputs = new LinkedHashMap<>();
      for (Map.Entry<String, String> out : opPlan.outputs().entrySet()) {
        opOutputs.put(out.getKey(), producedHere(out.getValue(), consumers.get(out.getValue())));
      }
      MetricsContainerImpl container = metrics.getContainer(opPlan.name());
      operators.get(i).open(new Context(options, keyGroups, opOutputs, container, opPlan.name()));
    }

    openGate(consumers);
  }

  private EdgeOutput openOutput(EdgePlan edge) {
    TaskId id = deployment.taskId();
    List<String> addresses = deployment.subtaskAddresses().get(edge.toStage());
    ChannelWriter[] writers = new ChannelWriter[addresses.size()];
    for (int consumer = 0; consumer < addresses.size(); consumer++) {
      if (edge.kind() == ExchangeKind.FORWARD && consumer != id.subtask()) {
        continue;
      }
      writers[consumer] =
          exchange.openWriter(
              new ChannelId(id.jobId(), edge.id(), id.subtask(), consumer),
              addresses.get(consumer));
    }
    return new EdgeOutput(
        edge,
        writers,
        id.subtask(),
        plan.maxParallelism(),
        plan.testClock() ? JobActivity.of(id.jobId()) : null);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void openGate(Map<String, List<ElementReceiver>> consumers) {
    TaskId id = deployment.taskId();
    List<ChannelId> channels = new ArrayList<>();
    List<EdgePlan> channelEdges = new ArrayList<>();
    for (int edgeId : stage.inputEdges()) {
      EdgePlan edge = plan.edge(edgeId);
      int producers = plan.stage(edge.fromStage()).parallelism();
      for (int producer = 0; producer < producers; producer++) {
        if (edge.kind() == ExchangeKind.FORWARD && producer != id.subtask()) {
          continue;
        }
        channels.add(new ChannelId(id.jobId(), edge.id(), producer, id.subtask()));
        channelEdges.add(edge);
      }
      if (edge.sideInput() != null) {
        sideWatermarks.put(edge.sideInput().getTagInternal().getId(), BoundedWindow.TIMESTAMP_MIN_VALUE);
      }
    }
    if (channels.isEmpty()) {
      return;
    }
    int n = channels.size();
    channelCoder = new Coder[n];
    channelReceiver = new ElementReceiver[n];
    // A PCollection that is nothing but an exchange's output (Reshuffle) has no operator making it;
    // its elements are counted here, where each arrives exactly once.
    Map<String, ElementReceiver> exchangeOutputs = new HashMap<>();
    channelView = new PCollectionView[n];
    channelWatermark = new Instant[n];
    channelProcessingTime = new Instant[n];
    channelEnded = new boolean[n];
    synchronizedTime = new SynchronizedProcessingTime(n);
    for (int i = 0; i < n; i++) {
      EdgePlan edge = channelEdges.get(i);
      channelCoder[i] = edge.elementCoder();
      channelView[i] = edge.sideInput();
      String pc = edge.consumerPCollection();
      if (edge.sideInput() == null && !pc.equals(edge.producerPCollection())) {
        channelReceiver[i] =
            exchangeOutputs.computeIfAbsent(pc, made -> producedHere(made, consumers.get(made)));
      } else {
        channelReceiver[i] = fanOut(consumers.get(pc));
      }
      channelWatermark[i] = BoundedWindow.TIMESTAMP_MIN_VALUE;
      channelProcessingTime[i] = BoundedWindow.TIMESTAMP_MIN_VALUE;
    }
    gate = exchange.openGate(channels);
  }

  /**
   * Where elements of PCollection {@code id} go once made in this subtask: to {@code receivers},
   * counted for the element-count metric if the PCollection is the pipeline's.
   */
  private ElementReceiver producedHere(
      String id, @org.checkerframework.checker.nullness.qual.Nullable List<ElementReceiver> receivers) {
    PCollectionPlan pc = plan.pcollection(id);
    if (pc == null) {
      return fanOut(receivers);
    }
    CountingFanOut counted =
        new CountingFanOut(
            receivers == null ? List.of() : receivers,
            metrics.getContainer(pc.producer()).getCounter(ElementCountMetric.nameFor(pc.name())));
    elementCounts.add(counted);
    return counted;
  }

  private void publishElementCounts() {
    for (CountingFanOut counted : elementCounts) {
      counted.publishCount();
    }
  }

  private static ElementReceiver fanOut(List<ElementReceiver> receivers) {
    if (receivers == null || receivers.isEmpty()) {
      return element -> {};
    }
    if (receivers.size() == 1) {
      return receivers.get(0);
    }
    ElementReceiver[] all = receivers.toArray(new ElementReceiver[0]);
    return element -> {
      for (ElementReceiver r : all) {
        r.accept(element);
      }
    };
  }

  private void consumeInput() throws InterruptedException, IOException {
    int open = channelEnded.length;
    long lastTick = System.currentTimeMillis();
    long lastFlush = lastTick;
    while (open > 0) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      busy = false;
      InputGate.GateEvent next = gate.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
      busy = true;
      if (next == null) {
        endBundle();
        nextProcessingTimer = earliestProcessingTimer();
      } else {
        handledEvents++;
        int channel = next.channelIndex();
        ChannelEvent event = next.event();
        if (event instanceof ChannelEvent.DataBatch) {
          onData(channel, (ChannelEvent.DataBatch) event);
        } else if (event instanceof ChannelEvent.Watermark) {
          Instant wm = new Instant(((ChannelEvent.Watermark) event).millis());
          synchronizedTime.watermarkFrom(channel);
          if (wm.isAfter(channelWatermark[channel])) {
            channelWatermark[channel] = wm;
            onWatermarkChange(channel);
          }
        } else if (event instanceof ChannelEvent.ProcessingTime) {
          Instant pt = new Instant(((ChannelEvent.ProcessingTime) event).millis());
          if (!testClock) {
            // The producer's synchronized processing time; taken up at the next tick.
            synchronizedTime.channelReached(channel, pt);
          } else if (pt.isAfter(channelProcessingTime[channel])) {
            channelProcessingTime[channel] = pt;
            onTestClockChange();
          }
        } else if (event instanceof ChannelEvent.EndOfInput) {
          if (!channelEnded[channel]) {
            channelEnded[channel] = true;
            synchronizedTime.channelEnded(channel);
            open--;
            channelWatermark[channel] = BoundedWindow.TIMESTAMP_MAX_VALUE;
            onWatermarkChange(channel);
            if (testClock) {
              onTestClockChange();
            }
          }
        }
        if (activity != null) {
          // Counted once its consequences (outputs, fired timers) have been sent on.
          endBundle();
          activity.handled(
              event instanceof ChannelEvent.DataBatch
                  ? ((ChannelEvent.DataBatch) event).elementCount()
                  : 1);
        }
      }
      long now = System.currentTimeMillis();
      if (now - lastFlush >= FLUSH_INTERVAL_MILLIS) {
        // Under steady input the gate is never idle: end bundles by time too, for latency.
        lastFlush = now;
        endBundle();
      }
      if (!testClock && now - lastTick >= PROCESSING_TIME_TICK_MILLIS) {
        lastTick = now;
        Instant processingTime = clock.get();
        for (StageOperator op : operators) {
          op.advanceProcessingTime(processingTime);
        }
        advanceSynchronizedTime(processingTime);
      }
    }
  }

  private void onData(int channel, ChannelEvent.DataBatch batch) throws IOException {
    if (!testClock) {
      synchronizedTime.dataFrom(channel, clock.get());
    }
    ByteArrayInputStream in = new ByteArrayInputStream(batch.payload());
    Coder<WindowedValue<?>> coder = channelCoder[channel];
    PCollectionView<?> view = channelView[channel];
    ElementReceiver receiver = channelReceiver[channel];
    for (int i = 0; i < batch.elementCount(); i++) {
      WindowedValue<?> element = coder.decode(in);
      if (view != null) {
        for (StageOperator reader : sideReaders.getOrDefault(view.getTagInternal().getId(), List.of())) {
          reader.processSideInput(view, element);
        }
      } else {
        receiver.accept(element);
      }
    }
    bundleElements += batch.elementCount();
    if (bundleElements >= MAX_BUNDLE_ELEMENTS) {
      endBundle();
    }
  }

  private void onWatermarkChange(int channel) throws InterruptedException {
    PCollectionView<?> view = channelView[channel];
    if (view != null) {
      String tag = view.getTagInternal().getId();
      Instant sideWm = BoundedWindow.TIMESTAMP_MAX_VALUE;
      for (int i = 0; i < channelView.length; i++) {
        if (channelView[i] != null
            && channelView[i].getTagInternal().getId().equals(tag)
            && channelWatermark[i].isBefore(sideWm)) {
          sideWm = channelWatermark[i];
        }
      }
      if (sideWm.isAfter(sideWatermarks.get(tag))) {
        sideWatermarks.put(tag, sideWm);
        for (StageOperator reader : sideReaders.getOrDefault(tag, List.of())) {
          reader.advanceSideInputWatermark(view, sideWm);
        }
      }
    }
    Instant min = BoundedWindow.TIMESTAMP_MAX_VALUE;
    for (Instant wm : channelWatermark) {
      if (wm.isBefore(min)) {
        min = wm;
      }
    }
    if (min.isAfter(inputWatermark)) {
      inputWatermark = min;
      advanceWatermark();
    }
  }

  /** The earliest pending processing-time timer, or null if none. */
  private @org.checkerframework.checker.nullness.qual.Nullable Instant earliestProcessingTimer() {
    Instant next = null;
    for (StageOperator op : operators) {
      Instant t = op.nextProcessingTimer();
      if (t != null && (next == null || t.isBefore(next))) {
        next = t;
      }
    }
    return next;
  }

  /** The earliest pending timer of either processing-time domain, or null if none. */
  private @org.checkerframework.checker.nullness.qual.Nullable Instant earliestTimerHoldingSynchronizedTime() {
    Instant next = earliestProcessingTimer();
    for (StageOperator op : operators) {
      Instant t = op.nextSynchronizedProcessingTimer();
      if (t != null && (next == null || t.isBefore(next))) {
        next = t;
      }
    }
    return next;
  }

  /**
   * On the wall clock, after processing time moved to {@code now}: fires the synchronized timers
   * that the inputs' synchronized time now passes, then reports this subtask's synchronized time
   * downstream, after what those timers produced.
   */
  private void advanceSynchronizedTime(Instant now) throws InterruptedException {
    if (synchronizedTime.advance(now)) {
      Instant time = synchronizedTime.current();
      for (StageOperator op : operators) {
        op.advanceSynchronizedProcessingTime(time);
      }
    }
    Instant report = synchronizedTime.toReport(earliestTimerHoldingSynchronizedTime());
    if (report != null) {
      reportSynchronizedTime(report);
    }
  }

  /**
   * At the end of input time (watermark at the end of time, every input channel ended or released
   * likewise, no processing-time timer pending) this subtask will never hold synchronized time back
   * again: it says so downstream before its final event-time timers run, which may take long, so
   * continuation triggers downstream are not held up by them. What those timers emit arrives after
   * the release and holds the channel again until the watermark behind it (see {@link
   * SynchronizedProcessingTime#dataFrom}).
   */
  private void releaseSynchronizedTimeAtEnd() throws InterruptedException {
    if (testClock
        || inputWatermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)
        || !synchronizedTime.inputsReleased()
        || earliestTimerHoldingSynchronizedTime() != null) {
      return;
    }
    Instant release = synchronizedTime.toReport(BoundedWindow.TIMESTAMP_MAX_VALUE, null);
    if (release != null) {
      reportSynchronizedTime(release);
    }
  }

  /** Tells downstream that this subtask's synchronized time reached {@code time}, after its output. */
  private void reportSynchronizedTime(Instant time) throws InterruptedException {
    endBundle();
    ChannelEvent.ProcessingTime event = new ChannelEvent.ProcessingTime(time.getMillis());
    for (EdgeOutput output : outputs) {
      output.sendControl(event);
    }
  }

  /** The stage's name and the transforms fused into it, for messages. */
  private String stageDescription() {
    StringBuilder sb = new StringBuilder(stage.name());
    if (!stage.operators().isEmpty()) {
      sb.append(" [");
      for (int i = 0; i < stage.operators().size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(stage.operators().get(i).name());
      }
      sb.append(']');
    }
    return sb.toString();
  }

  /** Where this subtask is now; called from other threads. */
  SubtaskProgress progress() {
    long sent = 0;
    for (EdgeOutput output : outputs) {
      sent += output.eventsSent();
    }
    return new SubtaskProgress(
        deployment.taskId(),
        stage == null ? "?" : stageDescription(),
        handledEvents + sent,
        busy,
        inputWatermark,
        outputWatermark,
        testClock ? null : nextProcessingTimer);
  }

  /** On a test clock: processing time is the minimum over the channels still open. */
  private void onTestClockChange() throws InterruptedException {
    Instant min = null;
    for (int i = 0; i < channelProcessingTime.length; i++) {
      if (!channelEnded[i] && (min == null || channelProcessingTime[i].isBefore(min))) {
        min = channelProcessingTime[i];
      }
    }
    if (min != null && min.isAfter(processingTime)) {
      setProcessingTime(min);
    }
  }

  private void setProcessingTime(Instant time) throws InterruptedException {
    endBundle();
    processingTime = time;
    // A test clock is already the minimum over the inputs, so synchronized with them.
    for (StageOperator op : operators) {
      op.advanceProcessingTime(time);
      op.advanceSynchronizedProcessingTime(time);
    }
    endBundle();
    ChannelEvent.ProcessingTime event = new ChannelEvent.ProcessingTime(time.getMillis());
    for (EdgeOutput output : outputs) {
      output.sendControl(event);
    }
  }

  @Override
  public void advanceWatermark(Instant watermark) {
    if (watermark.isAfter(inputWatermark)) {
      inputWatermark = watermark;
      try {
        advanceWatermark();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SubtaskInterruptedException();
      }
    }
  }

  @Override
  public void endBundleOfSource() throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    endBundle();
    if (!testClock) {
      Instant now = clock.get();
      for (StageOperator op : operators) {
        op.advanceProcessingTime(now);
      }
      advanceSynchronizedTime(now);
      endBundle();
    }
    handledEvents++;
  }

  @Override
  public void awaitQuiescence() throws InterruptedException {
    endBundle();
    long deadline = System.nanoTime() + QUIESCENCE_WAIT.toNanos();
    while (!activity.quiescent()) {
      if (System.nanoTime() > deadline) {
        LOG.warn(
            "Stage '{}' waited {} for the job to process what came before a TestStream time"
                + " advance; going on",
            stage.name(),
            QUIESCENCE_WAIT);
        return;
      }
      Thread.sleep(1);
    }
  }

  @Override
  public void advanceProcessingTime(Instant time) {
    if (!testClock) {
      throw new IllegalStateException("Only a test clock can be moved by a source");
    }
    if (time.isAfter(processingTime)) {
      try {
        setProcessingTime(time);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SubtaskInterruptedException();
      }
    }
  }

  /** Fires timers up to the input watermark and forwards the new output watermark. */
  private void advanceWatermark() throws InterruptedException {
    // Data before the watermark goes downstream before timers run, which may take long.
    endBundle();
    releaseSynchronizedTimeAtEnd();
    Instant running = inputWatermark;
    for (StageOperator op : operators) {
      op.advanceInputWatermark(running);
      Instant hold = op.watermarkHold();
      if (hold.isBefore(running)) {
        running = hold;
      }
    }
    endBundle();
    if (channelWatermark != null) {
      for (int i = 0; i < channelWatermark.length; i++) {
        if (!channelWatermark[i].isAfter(inputWatermark)) {
          synchronizedTime.watermarkProcessed(i);
        }
      }
    }
    if (running.isAfter(outputWatermark)) {
      outputWatermark = running;
      ChannelEvent.Watermark event = new ChannelEvent.Watermark(running.getMillis());
      for (EdgeOutput output : outputs) {
        output.sendControl(event);
      }
    }
  }

  private void endBundle() {
    for (StageOperator op : operators) {
      op.finishBundle();
    }
    publishElementCounts();
    bundleElements = 0;
    try {
      for (EdgeOutput output : outputs) {
        output.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SubtaskInterruptedException();
    }
  }

  /** All input ended: fire every remaining timer, then end the output. */
  private void finishInput() throws InterruptedException {
    inputWatermark = BoundedWindow.TIMESTAMP_MAX_VALUE;
    advanceWatermark();
    if (!testClock) {
      // Nothing upstream is left to wait for: synchronized time ends, and the continuation
      // triggers still waiting fire (their windows have had their final panes by now).
      if (synchronizedTime.advance(END_OF_SYNCHRONIZED_TIME)) {
        for (StageOperator op : operators) {
          op.advanceSynchronizedProcessingTime(END_OF_SYNCHRONIZED_TIME);
        }
        advanceWatermark();
      }
    }
    // On the wall clock, input has ended and only timers are left: processing time jumps to each
    // next timer instead of waiting for it, so a bounded job's buffered output is not lost and
    // splittable DoFns resume at once. A test clock stays where the test left it, as on Beam's
    // DirectRunner, so its pending processing-time timers never fire.
    if (!testClock) {
      drainProcessingTimers();
    }
    endBundle();
    for (EdgeOutput output : outputs) {
      if (outputWatermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
        output.sendControl(new ChannelEvent.Watermark(BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis()));
      }
      output.sendControl(ChannelEvent.EndOfInput.INSTANCE);
    }
    outputWatermark = BoundedWindow.TIMESTAMP_MAX_VALUE;
  }

  /**
   * Input has ended; processing-time timers are left. A bounded job jumps processing time to each
   * next timer instead of waiting, so buffered output is not lost and the job ends soon. In an
   * unbounded job (a splittable DoFn reading an unbounded source) time follows the wall clock, so
   * resume delays and user timers mean what they say.
   */
  private void drainProcessingTimers() throws InterruptedException {
    boolean fastForward = !plan.unbounded();
    for (int round = 0; ; round++) {
      Instant next = earliestProcessingTimer();
      nextProcessingTimer = next;
      if (next == null) {
        return;
      }
      if (fastForward && round == MAX_FINAL_TIMER_ROUNDS) {
        throw new IllegalStateException(
            "Input has ended but processing-time timers of stage '"
                + stage.name()
                + "' keep setting new timers after "
                + round
                + " rounds; a timer that always re-arms itself never lets a bounded job end");
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      Instant now = clock.get();
      Instant time;
      if (!next.isBefore(now) && !fastForward) {
        // Wait for the wall clock, a little at a time so cancellation is noticed.
        busy = false;
        Thread.sleep(Math.min(IDLE_POLL_MILLIS, next.getMillis() - now.getMillis() + 1));
        busy = true;
        continue;
      }
      // A timer is due once time is past it.
      time = next.isBefore(now) ? now : next.plus(1);
      for (StageOperator op : operators) {
        op.advanceProcessingTime(time);
      }
      // Every input has ended, so nothing upstream holds synchronized time back.
      advanceSynchronizedTime(time);
      advanceWatermark();
      handledEvents++;
    }
  }

  private Throwable tearDown(Throwable failure) {
    for (StageOperator op : operators) {
      try {
        op.close();
      } catch (Throwable t) {
        if (failure == null) {
          failure = t;
        } else if (failure != t) {
          failure.addSuppressed(t);
        }
      }
    }
    if (gate != null) {
      gate.close();
    }
    for (EdgeOutput output : outputs) {
      output.close();
    }
    return failure;
  }

  /** The exception to report: user code's own exception rather than Beam's wrapper. */
  private static Throwable rootUserCause(Throwable t) {
    Throwable current = t;
    while (current instanceof org.apache.beam.sdk.util.UserCodeException
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  private final class Context implements OperatorContext {
    private final PipelineOptions options;
    private final KeyGroupRange keyGroups;
    private final Map<String, ElementReceiver> outputs;
    private final MetricsContainerImpl container;
    private final String operatorName;

    Context(
        PipelineOptions options,
        KeyGroupRange keyGroups,
        Map<String, ElementReceiver> outputs,
        MetricsContainerImpl container,
        String operatorName) {
      this.options = options;
      this.keyGroups = keyGroups;
      this.outputs = outputs;
      this.container = container;
      this.operatorName = operatorName;
    }

    @Override
    public PipelineOptions pipelineOptions() {
      return options;
    }

    @Override
    public int subtaskIndex() {
      return deployment.taskId().subtask();
    }

    @Override
    public int parallelism() {
      return stage.parallelism();
    }

    @Override
    public int maxParallelism() {
      return plan.maxParallelism();
    }

    @Override
    public KeyGroupRange keyGroupRange() {
      return keyGroups;
    }

    @Override
    public Map<String, ElementReceiver> outputs() {
      return outputs;
    }

    @Override
    public KeyedStateBackend createStateBackend(
        Coder<? extends BoundedWindow> windowCoder) {
      // The operator owns the backend and closes it in close().
      return backends.create(deployment.taskId(), operatorName, keyGroups, windowCoder);
    }

    @Override
    public MetricsContainerImpl metricsContainer() {
      return container;
    }

    @Override
    public Supplier<Instant> processingTime() {
      return testClock ? () -> processingTime : clock;
    }

    @Override
    public Supplier<Instant> synchronizedProcessingTime() {
      return testClock ? () -> processingTime : () -> synchronizedTime.current();
    }
  }
}
