package dev.weir.worker.task;

import dev.weir.checkpoint.CheckpointingOptions;
import dev.weir.state.KeyGroupRange;
import dev.weir.translation.EdgePlan;
import dev.weir.translation.ExchangeKind;
import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.PCollectionPlan;
import dev.weir.translation.StagePlan;
import dev.weir.worker.exchange.ChannelId;
import dev.weir.worker.exchange.ChannelWriter;
import dev.weir.worker.exchange.DataExchange;
import dev.weir.worker.exchange.InputGate;
import dev.weir.worker.operators.ElementReceiver;
import dev.weir.worker.operators.SourceWork;
import dev.weir.worker.operators.StageOperator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.beam.runners.core.metrics.CounterCell;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Builds one subtask from its deployment: the stage's operators, opened in topological order with
 * their outputs connected inside the stage and to the output edges, then the input gate and where
 * each of its channels' data goes. {@link #close} releases what was built, also when building
 * failed halfway.
 */
final class SubtaskWiring {
  private final TaskDeployment deployment;
  private final DataExchange exchange;
  private final StateBackendFactory backends;
  private final MetricsContainerStepMap metrics;
  private final Supplier<Instant> clock;
  private final TaskListener listener;
  private final CheckpointUploads uploads;

  private final OperatorChain chain = new OperatorChain();
  private final SubtaskOutputs outputs = new SubtaskOutputs();
  private final CurrentBundle bundle = new CurrentBundle(chain, outputs);

  // Set by open(); stage and time are also read by other threads for progress reports.
  private ExecutionPlan plan;
  private volatile @Nullable StagePlan stage;
  private @Nullable JobActivity activity;
  private InputChannels channels;
  private volatile @Nullable SubtaskTime time;
  private @Nullable ChannelRoutes routes;
  private @Nullable InputGate gate;
  private @Nullable SubtaskCheckpointer checkpointer;
  // By step name, the operators that read a bounded source; read by progress reports.
  private volatile Map<String, StageOperator> sourceOperators = Map.of();
  // The elements-read counters of the sources here, each once; added while wiring, read by reports.
  private final List<CounterCell> elementsRead = new CopyOnWriteArrayList<>();

  SubtaskWiring(
      TaskDeployment deployment,
      DataExchange exchange,
      StateBackendFactory backends,
      MetricsContainerStepMap metrics,
      Supplier<Instant> clock,
      TaskListener listener,
      CheckpointUploads uploads) {
    this.listener = listener;
    this.uploads = uploads;
    this.deployment = deployment;
    this.exchange = exchange;
    this.backends = backends;
    this.metrics = metrics;
    this.clock = clock;
  }

  void open() throws Exception {
    TaskId id = deployment.taskId();
    plan = deployment.stagePlan(Thread.currentThread().getContextClassLoader());
    StagePlan stage = plan.stage(id.stage());
    this.stage = stage;
    activity = plan.testClock() ? JobActivity.of(id.jobId()) : null;
    PipelineOptions options = deployment.options().get();
    CheckpointingOptions checkpointing = options.as(CheckpointingOptions.class);
    Long interval = checkpointing.getCheckpointingInterval();
    boolean checkpointingEnabled = interval != null && interval > 0;
    RestoredState restored = new RestoredState(deployment.restore());
    OperatorBackends created = new OperatorBackends();
    KeyGroupRange keyGroups =
        KeyGroupRange.forSubtask(id.subtask(), stage.parallelism(), plan.maxParallelism());

    List<ChannelId> channelIds = new ArrayList<>();
    List<EdgePlan> channelEdges = new ArrayList<>();
    inputChannels(stage, channelIds, channelEdges);
    PCollectionView<?>[] sideInputs = new PCollectionView<?>[channelEdges.size()];
    for (int i = 0; i < sideInputs.length; i++) {
      sideInputs[i] = channelEdges.get(i).sideInput();
    }
    channels = new InputChannels(sideInputs);
    SubtaskTime time = new SubtaskTime(plan.testClock(), clock, chain, outputs, bundle, channels);
    this.time = time;

    // Who consumes each PCollection inside the stage.
    Map<String, List<ElementReceiver>> consumers = new HashMap<>();
    List<OperatorPlan> opPlans = stage.operators();
    List<StageOperator> operators = new ArrayList<>();
    List<String> operatorNames = new ArrayList<>();
    for (OperatorPlan opPlan : opPlans) {
      operatorNames.add(opPlan.name());
      StageOperator op = OperatorFactory.create(opPlan);
      operators.add(op);
      chain.add(opPlan.name(), op, opPlan.sideInputs());
      ElementReceiver receiver = chain.receiver(opPlan.name(), op);
      for (String input : opPlan.inputs()) {
        consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(receiver);
      }
    }
    for (int edgeId : stage.outputEdges()) {
      EdgePlan edge = plan.edge(edgeId);
      EdgeOutput output = openOutput(edge);
      outputs.addEdge(output);
      consumers.computeIfAbsent(edge.producerPCollection(), k -> new ArrayList<>()).add(output);
    }

    Map<String, StageOperator> sources = new LinkedHashMap<>();
    for (int i = 0; i < operators.size(); i++) {
      if (SourceMetrics.isSource(opPlans.get(i))) {
        sources.put(opPlans.get(i).name(), operators.get(i));
      }
    }
    sourceOperators = sources;
    for (int i = 0; i < operators.size(); i++) {
      OperatorPlan opPlan = opPlans.get(i);
      Map<String, ElementReceiver> opOutputs = new LinkedHashMap<>();
      for (Map.Entry<String, String> out : opPlan.outputs().entrySet()) {
        opOutputs.put(out.getKey(), producedHere(out.getValue(), consumers.get(out.getValue())));
      }
      operators
          .get(i)
          .open(
              new SubtaskOperatorContext(
                  id,
                  stage.parallelism(),
                  plan.maxParallelism(),
                  options,
                  keyGroups,
                  opOutputs,
                  metrics,
                  opPlan.name(),
                  backends,
                  time,
                  created,
                  restored,
                  checkpointingEnabled));
    }
    checkpointer =
        new SubtaskCheckpointer(
            id,
            operatorNames,
            operators,
            created,
            keyGroups,
            bundle,
            outputs,
            backends,
            uploads,
            checkpointing.getCheckpointDir(),
            listener,
            metrics);

    if (!channelIds.isEmpty()) {
      routes = routes(channelEdges, sideInputs, consumers);
      gate = exchange.openGate(channelIds);
    }
  }

  /** The input channels of this subtask, in gate order, and the edge of each. */
  private void inputChannels(StagePlan stage, List<ChannelId> ids, List<EdgePlan> edges) {
    TaskId id = deployment.taskId();
    for (int edgeId : stage.inputEdges()) {
      EdgePlan edge = plan.edge(edgeId);
      int producers = plan.stage(edge.fromStage()).parallelism();
      for (int producer = 0; producer < producers; producer++) {
        if (edge.kind() == ExchangeKind.FORWARD && producer != id.subtask()) {
          continue;
        }
        ids.add(new ChannelId(id.jobId(), id.attempt(), edge.id(), producer, id.subtask()));
        edges.add(edge);
      }
    }
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
              new ChannelId(id.jobId(), id.attempt(), edge.id(), id.subtask(), consumer),
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
  private ChannelRoutes routes(
      List<EdgePlan> channelEdges,
      PCollectionView<?>[] sideInputs,
      Map<String, List<ElementReceiver>> consumers) {
    int n = channelEdges.size();
    Coder<WindowedValue<?>>[] coders = new Coder[n];
    ElementReceiver[] receivers = new ElementReceiver[n];
    // A PCollection that is nothing but an exchange's output (Reshuffle) has no operator making it;
    // its elements are counted here, where each arrives exactly once.
    Map<String, ElementReceiver> exchangeOutputs = new HashMap<>();
    for (int i = 0; i < n; i++) {
      EdgePlan edge = channelEdges.get(i);
      coders[i] = edge.elementCoder();
      String pc = edge.consumerPCollection();
      if (edge.sideInput() == null && !pc.equals(edge.producerPCollection())) {
        receivers[i] =
            exchangeOutputs.computeIfAbsent(pc, made -> producedHere(made, consumers.get(made)));
      } else {
        receivers[i] = fanOut(consumers.get(pc));
      }
    }
    return new ChannelRoutes(coders, sideInputs, receivers, chain);
  }

  /**
   * Where elements of PCollection {@code id} go once made in this subtask: to {@code receivers},
   * counted for the element-count metric if the PCollection is the pipeline's.
   */
  private ElementReceiver producedHere(String id, @Nullable List<ElementReceiver> receivers) {
    PCollectionPlan pc = plan.pcollection(id);
    if (pc == null) {
      return fanOut(receivers);
    }
    MetricsContainerImpl producer = metrics.getContainer(pc.producer());
    CounterCell read = null;
    if (readBySource(pc.producer())) {
      read = producer.getCounter(SourceMetrics.elementsRead());
      CounterCell counter = read;
      // A source with several outputs has one counter for all of them.
      if (elementsRead.stream().noneMatch(c -> c == counter)) {
        elementsRead.add(counter);
      }
    }
    CountingFanOut counted =
        new CountingFanOut(
            receivers == null ? List.of() : receivers,
            producer.getCounter(ElementCountMetric.nameFor(pc.name())),
            read);
    outputs.addElementCount(counted);
    return counted;
  }

  /** Whether step {@code name} of this subtask's stage reads a source ({@link SourceMetrics}). */
  private boolean readBySource(String name) {
    for (OperatorPlan operator : plan.stage(deployment.taskId().stage()).operators()) {
      if (operator.name().equals(name)) {
        return SourceMetrics.isSource(operator);
      }
    }
    return false;
  }

  private static ElementReceiver fanOut(@Nullable List<ElementReceiver> receivers) {
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

  /**
   * Closes the operators, the input gate and the output edges, whatever of them was built;
   * returns {@code failure}, or the first failure to close an operator if there was none.
   */
  @Nullable Throwable close(@Nullable Throwable failure) {
    failure = chain.close(failure);
    if (checkpointer != null) {
      checkpointer.close();
    }
    if (gate != null) {
      gate.close();
    }
    outputs.close();
    return failure;
  }

  /**
   * By step name, how much of their bounded restrictions this subtask's splittable DoFns have
   * done; any thread.
   */
  Map<String, SourceWork> sourceWork() {
    Map<String, SourceWork> work = new LinkedHashMap<>();
    sourceOperators.forEach(
        (name, operator) -> {
          SourceWork done = operator.sourceWork();
          if (done != null) {
            work.put(name, done);
          }
        });
    return work;
  }

  /**
   * Elements the sources of this subtask have read so far ({@link SourceMetrics}), as published
   * to their counters (at bundle ends and every 1,024 elements); any thread.
   */
  long elementsRead() {
    long n = 0;
    for (CounterCell counter : elementsRead) {
      n += counter.getCumulative();
    }
    return n;
  }

  ExecutionPlan plan() {
    return plan;
  }

  /** The stage, or null before {@link #open} has read the plan. */
  @Nullable StagePlan stage() {
    return stage;
  }

  OperatorChain chain() {
    return chain;
  }

  SubtaskOutputs outputs() {
    return outputs;
  }

  CurrentBundle bundle() {
    return bundle;
  }

  /** On a test clock: the activity of the job, for quiescence; null on the wall clock. */
  @Nullable JobActivity activity() {
    return activity;
  }

  InputChannels channels() {
    return channels;
  }

  /** The subtask's time, or null before {@link #open} has read the plan. */
  @Nullable SubtaskTime time() {
    return time;
  }

  /** Where each input channel's data goes; null for a subtask without input channels. */
  @Nullable ChannelRoutes routes() {
    return routes;
  }

  /** What takes the subtask's checkpoints; null before {@link #open} built the operators. */
  @Nullable SubtaskCheckpointer checkpointer() {
    return checkpointer;
  }

  /** The input gate; null for a subtask without input channels, a source. */
  @Nullable InputGate gate() {
    return gate;
  }
}
