package dev.weir.translation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.beam.runners.core.SplittableParDoViaKeyedWorkItems;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.DoFnSchemaInformation;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.reflect.DoFnSignature;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.SplittableParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Translates a pipeline, after the runner's overrides, into an {@link ExecutionPlan}.
 *
 * <p>Fusion is greedy and never creates a cycle: an element-wise transform joins the stage of its
 * single input; a transform that needs its input keyed (GroupByKey, stateful ParDo), a ParDo with
 * side inputs, and a Flatten of inputs from several stages each start a new stage. Reshuffle and
 * Redistribute are nothing but an exchange.
 */
public final class PipelineTranslator {
  private final String jobName;
  private final int parallelism;
  private final int maxParallelism;

  private final Map<PCollection<?>, String> pcollectionIds = new IdentityHashMap<>();
  private final Map<String, String> aliases = new HashMap<>();
  private final Map<String, Integer> producerStage = new HashMap<>();
  private final Map<String, PCollection<?>> pcollections = new HashMap<>();
  private final Map<String, PCollectionPlan> producedPCollections = new HashMap<>();
  private final List<StagePlan> stages = new ArrayList<>();
  private final List<EdgePlan> edges = new ArrayList<>();
  private final Map<List<Object>, Integer> edgeIndex = new HashMap<>();
  private boolean testClock;
  private boolean unbounded;
  private final Map<String, PCollection<?>> viewInputs = new HashMap<>();
  // Per view tag, for views that arrive as panes (ViewPanes): the PCollection of their panes.
  private final Map<String, String> viewPanes = new HashMap<>();
  private final Map<String, Coder<? extends BoundedWindow>> elementWindowCoders = new HashMap<>();
  // Per output of GBKIntoKeyedWorkItems, the coder of its input's keyed (element, restriction)s.
  private final Map<String, Coder<?>> keyedElementCoders = new HashMap<>();

  private PipelineTranslator(String jobName, int parallelism, int maxParallelism) {
    this.jobName = jobName;
    this.parallelism = parallelism;
    this.maxParallelism = maxParallelism;
  }

  /**
   * Translates {@code pipeline}.
   *
   * @throws UnsupportedTransformException naming the first transform Weir cannot run
   */
  public static ExecutionPlan translate(
      Pipeline pipeline, String jobName, int parallelism, int maxParallelism) {
    PipelineTranslator t = new PipelineTranslator(jobName, parallelism, maxParallelism);
    pipeline.traverseTopologically(t.new Visitor());
    return new ExecutionPlan(
        jobName,
        maxParallelism,
        t.stages,
        t.edges,
        t.testClock,
        t.unbounded,
        t.producedPCollections);
  }

  private class Visitor extends Pipeline.PipelineVisitor.Defaults {
    @Override
    public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
      if (node.isRootNode()) {
        return CompositeBehavior.ENTER_TRANSFORM;
      }
      String urn = urnOf(node.getTransform());
      if (PTransformTranslation.RESHUFFLE_URN.equals(urn)
          || PTransformTranslation.REDISTRIBUTE_BY_KEY_URN.equals(urn)) {
        exchangeOnly(node, ExchangeKind.KEYED);
        return CompositeBehavior.DO_NOT_ENTER_TRANSFORM;
      }
      if (PTransformTranslation.COMBINE_PER_KEY_TRANSFORM_URN.equals(urn)
          && CombineLifting.canLift(node)) {
        liftCombine(node);
        return CompositeBehavior.DO_NOT_ENTER_TRANSFORM;
      }
      if (PTransformTranslation.REDISTRIBUTE_ARBITRARILY_URN.equals(urn)) {
        exchangeOnly(node, ExchangeKind.REBALANCE);
        return CompositeBehavior.DO_NOT_ENTER_TRANSFORM;
      }
      return CompositeBehavior.ENTER_TRANSFORM;
    }

    @Override
    public void visitPrimitiveTransform(TransformHierarchy.Node node) {
      translatePrimitive(node);
    }
  }

  private static @Nullable String urnOf(@Nullable PTransform<?, ?> transform) {
    if (transform == null) {
      return null;
    }
    try {
      return PTransformTranslation.urnForTransformOrNull(transform);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void translatePrimitive(TransformHierarchy.Node node) {
    PTransform<?, ?> transform = node.getTransform();
    String name = node.getFullName();
    if (transform instanceof SplittableParDoViaKeyedWorkItems.ProcessElements) {
      translateSplittableProcess(node, (SplittableParDoViaKeyedWorkItems.ProcessElements) transform);
      return;
    }
    if (transform instanceof BoundedReadOverride.Primitive) {
      BoundedReadOverride.Primitive<?> read = (BoundedReadOverride.Primitive<?>) transform;
      StagePlan stage = newStage(name);
      addOperator(
          stage,
          new UnboundedReadPlan(
              name, outputs(node), read.source(), read.maxNumRecords(), read.maxReadTime()));
      return;
    }
    String urn = urnOf(transform);
    if (urn == null) {
      throw new UnsupportedTransformException(
          name,
          "<none>",
          "it is a primitive transform of class "
              + (transform == null ? "null" : transform.getClass().getName())
              + " that no Weir translation knows");
    }
    switch (urn) {
      case SplittableParDo.SPLITTABLE_GBKIKWI_URN:
        {
          PCollection<?> input = mainInput(node);
          elementWindowCoders.put(
              idOf(singleOutput(node)), input.getWindowingStrategy().getWindowFn().windowCoder());
          keyedElementCoders.put(idOf(singleOutput(node)), input.getCoder());
          exchangeOnly(node, ExchangeKind.KEYED);
          return;
        }
      case PTransformTranslation.READ_TRANSFORM_URN:
        if (transform instanceof SplittableParDo.PrimitiveUnboundedRead) {
          StagePlan stage = newStage(name);
          addOperator(
              stage,
              new UnboundedReadPlan(
                  name,
                  outputs(node),
                  ((SplittableParDo.PrimitiveUnboundedRead<?>) transform).getSource()));
          return;
        }
        throw new UnsupportedTransformException(
            name, urn, "only unbounded primitive reads are translated; bounded reads are SDFs");
      case PTransformTranslation.IMPULSE_TRANSFORM_URN:
        {
          StagePlan stage = newStage(name);
          addOperator(stage, new ImpulsePlan(name, outputs(node)));
          return;
        }
      case PTransformTranslation.PAR_DO_TRANSFORM_URN:
        translateParDo(node, name);
        return;
      case PTransformTranslation.GROUP_BY_KEY_TRANSFORM_URN:
        {
          PCollection<?> input = mainInput(node);
          if (!(input.getCoder() instanceof KvCoder)) {
            throw new UnsupportedTransformException(
                name, urn, "its input coder is not a KvCoder: " + input.getCoder());
          }
          KvCoder<?, ?> kvCoder = (KvCoder<?, ?>) input.getCoder();
          StagePlan stage = newStage(name);
          connect(input, stage, ExchangeKind.KEYED, kvCoder.getKeyCoder(), null);
          addOperator(
              stage,
              new GroupByKeyPlan(
                  name,
                  idOf(input),
                  outputs(node),
                  kvCoder,
                  input.getWindowingStrategy(),
                  input.isBounded() == PCollection.IsBounded.BOUNDED));
          return;
        }
      case PTransformTranslation.FLATTEN_TRANSFORM_URN:
        {
          List<String> inputs = new ArrayList<>();
          Set<Integer> inputStages = new LinkedHashSet<>();
          for (PCollection<?> in : node.getInputs().values()) {
            inputs.add(idOf(in));
            inputStages.add(stageOf(in));
          }
          StagePlan stage;
          if (inputStages.size() == 1) {
            stage = stages.get(inputStages.iterator().next());
          } else {
            // No inputs (an empty Flatten) makes a stage that only ends; several make a union.
            stage = newStage(name);
            for (PCollection<?> in : new LinkedHashSet<>(node.getInputs().values())) {
              connect(in, stage, ExchangeKind.FORWARD, null, null);
            }
          }
          addOperator(stage, new FlattenPlan(name, inputs, outputs(node)));
          return;
        }
      case PTransformTranslation.ASSIGN_WINDOWS_TRANSFORM_URN:
        {
          PCollection<?> input = mainInput(node);
          Window.Assign<?> assign = (Window.Assign<?>) transform;
          PCollection<?> output = singleOutput(node);
          StagePlan stage = stages.get(stageOf(input));
          addOperator(
              stage,
              new WindowIntoPlan(
                  name,
                  idOf(input),
                  outputs(node),
                  assign.getWindowFn() != null
                      ? assign.getWindowFn()
                      : output.getWindowingStrategy().getWindowFn()));
          return;
        }
      case PTransformTranslation.CREATE_VIEW_TRANSFORM_URN:
        {
          // The view is read from the PCollection it was made of; the transform itself is a
          // no-op. Views reach some transforms as deserialized copies without their PCollection,
          // so remember the producer by tag.
          PCollectionView<?> view = ((View.CreatePCollectionView<?, ?>) transform).getView();
          PCollection<?> viewInput =
              view.getPCollection() != null ? view.getPCollection() : mainInput(node);
          viewInputs.put(view.getTagInternal().getId(), viewInput);
          aliases.put(idOf(singleOutput(node)), idOf(mainInput(node)));
          return;
        }
      case PTransformTranslation.TEST_STREAM_TRANSFORM_URN:
        {
          testClock = true;
          StagePlan stage = newStage(name);
          // One subtask plays the stream; idle siblings would only hold its watermark back.
          stage.setParallelism(1);
          addOperator(stage, new TestStreamPlan(name, outputs(node), (TestStream<?>) transform));
          return;
        }
      default:
        throw new UnsupportedTransformException(
            name, urn, "no Weir translation exists for this URN");
    }
  }

  private void translateParDo(TransformHierarchy.Node node, String name) {
    PTransform<?, ?> transform = node.getTransform();
    if (!(transform instanceof ParDo.MultiOutput)) {
      throw new UnsupportedTransformException(
          name,
          PTransformTranslation.PAR_DO_TRANSFORM_URN,
          "only Java ParDo.MultiOutput is supported, got " + transform.getClass().getName());
    }
    ParDo.MultiOutput<?, ?> parDo = (ParDo.MultiOutput<?, ?>) transform;
    DoFn<?, ?> doFn = parDo.getFn();
    DoFnSignature signature = DoFnSignatures.getSignature(doFn.getClass());
    if (signature.processElement().isSplittable()) {
      throw new UnsupportedTransformException(
          name,
          PTransformTranslation.PAR_DO_TRANSFORM_URN,
          "splittable DoFn reached translation unexpanded");
    }
    PCollection<?> input = mainInput(node);
    boolean stateful = DoFnSignatures.isStateful(doFn);
    Coder<?> keyCoder = null;
    if (stateful) {
      if (!(input.getCoder() instanceof KvCoder)) {
        throw new UnsupportedTransformException(
            name,
            PTransformTranslation.PAR_DO_TRANSFORM_URN,
            "a DoFn with state or timers needs KV input with a KvCoder, got " + input.getCoder());
      }
      keyCoder = ((KvCoder<?, ?>) input.getCoder()).getKeyCoder();
    }
    Map<String, PCollectionView<?>> sideInputMapping = parDo.getSideInputs();
    Map<TupleTag<?>, Coder<?>> outputCoders = new LinkedHashMap<>();
    for (Map.Entry<TupleTag<?>, PCollection<?>> out : node.getOutputs().entrySet()) {
      outputCoders.put(out.getKey(), out.getValue().getCoder());
    }
    List<TupleTag<?>> additional = new ArrayList<>(parDo.getAdditionalOutputTags().getAll());
    ParDoPlan plan =
        new ParDoPlan(
            name,
            idOf(input),
            outputs(node),
            doFn,
            parDo.getMainOutputTag(),
            additional,
            input.getCoder(),
            outputCoders,
            input.getWindowingStrategy(),
            sideInputMapping,
            ParDo.getDoFnSchemaInformation(doFn, input),
            keyCoder);

    StagePlan stage;
    if (stateful || !sideInputMapping.isEmpty()) {
      stage = newStage(name);
      connect(input, stage, stateful ? ExchangeKind.KEYED : ExchangeKind.FORWARD, keyCoder, null);
      for (PCollectionView<?> view : sideInputMapping.values()) {
        connectView(name, view, stage);
      }
    } else {
      stage = stages.get(stageOf(input));
    }
    addOperator(stage, plan);
  }

  /**
   * Combine.perKey as precombine in the producer's stage, a keyed exchange of accumulators, and a
   * merge of accumulators in a grouping operator.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private void liftCombine(TransformHierarchy.Node node) {
    String name = node.getFullName();
    PCollection<?> input = mainInput(node);
    PCollection<?> output = singleOutput(node);
    KvCoder<?, ?> inputCoder = (KvCoder<?, ?>) input.getCoder();
    Combine.CombineFn fn = (Combine.CombineFn) ((Combine.PerKey<?, ?, ?>) node.getTransform()).getFn();
    Coder<?> accumulatorCoder = CombineLifting.accumulatorCoder(node);
    KvCoder<?, ?> accumulatorKvCoder = KvCoder.of(inputCoder.getKeyCoder(), accumulatorCoder);
    String partial = idOf(input) + "/" + name + "/Precombine";
    StagePlan producer = stages.get(stageOf(input));
    addOperator(
        producer,
        new CombinePrecombinePlan(
            name + "/Precombine",
            idOf(input),
            Map.of("partial", partial),
            fn,
            inputCoder,
            input.getWindowingStrategy()));
    StagePlan merge = newStage(name);
    Coder<WindowedValue<?>> partialCoder =
        (Coder)
            WindowedValues.getFullCoder(
                accumulatorKvCoder, input.getWindowingStrategy().getWindowFn().windowCoder());
    addEdge(
        producer.id(),
        merge,
        ExchangeKind.KEYED,
        partial,
        partial,
        partialCoder,
        inputCoder.getKeyCoder(),
        null);
    addOperator(
        merge,
        new GroupByKeyPlan(
            name,
            partial,
            outputs(node),
            accumulatorKvCoder,
            input.getWindowingStrategy(),
            new AccumulatorMergingFn(fn, accumulatorCoder),
            input.isBounded() == PCollection.IsBounded.BOUNDED));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void translateSplittableProcess(
      TransformHierarchy.Node node, SplittableParDoViaKeyedWorkItems.ProcessElements transform) {
    String name = node.getFullName();
    PCollection<?> input = mainInput(node);
    Coder<? extends BoundedWindow> windowCoder = elementWindowCoders.get(idOf(input));
    if (windowCoder == null) {
      throw new UnsupportedTransformException(
          name,
          PTransformTranslation.SPLITTABLE_PROCESS_ELEMENTS_URN,
          "its input does not come from GBKIntoKeyedWorkItems");
    }
    Map<TupleTag<?>, Coder<?>> outputCoders = new LinkedHashMap<>();
    for (Map.Entry<TupleTag<?>, PCollection<?>> out : node.getOutputs().entrySet()) {
      outputCoders.put(out.getKey(), out.getValue().getCoder());
    }
    // The input is the output of a keyed exchange (GBKIntoKeyedWorkItems): same stage.
    StagePlan stage = stages.get(stageOf(input));
    Map<String, PCollectionView<?>> sideInputMapping = transform.getSideInputMapping();
    for (PCollectionView<?> view : sideInputMapping.values()) {
      connectView(name, view, stage);
    }
    addOperator(
        stage,
        new SplittableProcessPlan(
            name,
            idOf(input),
            outputs(node),
            transform.newProcessFn(transform.getFn()),
            transform.getMainOutputTag(),
            transform.getAdditionalOutputTags().getAll(),
            outputCoders,
            input.getWindowingStrategy(),
            windowCoder,
            keyedElementCoders.get(idOf(input)),
            sideInputMapping));
  }

  /** A broadcast edge that brings {@code view} to {@code consumer}'s stage. */
  private void connectView(String consumer, PCollectionView<?> view, StagePlan stage) {
    PCollection<?> input = viewInput(consumer, view);
    if (!ViewPanes.arriveAsPanes(view)) {
      connect(input, stage, ExchangeKind.BROADCAST, null, view);
      return;
    }
    String panes =
        viewPanes.computeIfAbsent(view.getTagInternal().getId(), t -> groupPanes(view, input));
    addEdge(
        producerStage.get(panes),
        stage,
        ExchangeKind.BROADCAST,
        panes,
        panes,
        paneCoder(input),
        null,
        view);
  }

  /**
   * Groups the elements of a triggered view under their windowing strategy with a single key, in a
   * stage of one subtask, so each firing leaves as one element holding the whole pane (see {@link
   * ViewPanes}). Returns the id of the PCollection of panes.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private String groupPanes(PCollectionView<?> view, PCollection<?> input) {
    String name = "ViewPanes/" + view.getTagInternal().getId();
    WindowingStrategy<?, ?> windowing = input.getWindowingStrategy();
    KvCoder<?, ?> keyedCoder = KvCoder.of(VoidCoder.of(), input.getCoder());
    String keyed = idOf(input) + "/" + name + "/Keyed";
    TupleTag<?> keyedTag = new TupleTag<>("keyed");
    addOperator(
        stages.get(stageOf(input)),
        new ParDoPlan(
            name + "/Key",
            idOf(input),
            Map.of(keyedTag.getId(), keyed),
            new ViewPanes.SingleKeyFn(),
            keyedTag,
            List.of(),
            input.getCoder(),
            Map.of(keyedTag, keyedCoder),
            windowing,
            Map.of(),
            DoFnSchemaInformation.create(),
            null));
    StagePlan group = newStage(name);
    // One key: other subtasks would only idle.
    group.setParallelism(1);
    addEdge(
        stageOf(input),
        group,
        ExchangeKind.KEYED,
        keyed,
        keyed,
        (Coder) WindowedValues.getFullCoder(keyedCoder, windowing.getWindowFn().windowCoder()),
        VoidCoder.of(),
        null);
    String panes = keyed + "/Panes";
    addOperator(
        group,
        new GroupByKeyPlan(
            name + "/Group",
            keyed,
            Map.of("panes", panes),
            keyedCoder,
            windowing,
            input.isBounded() == PCollection.IsBounded.BOUNDED));
    return panes;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Coder<WindowedValue<?>> paneCoder(PCollection<?> input) {
    return (Coder)
        WindowedValues.getFullCoder(
            KvCoder.of(VoidCoder.of(), IterableCoder.of(input.getCoder())),
            input.getWindowingStrategy().getWindowFn().windowCoder());
  }

  /** The PCollection a side input is read from. */
  private PCollection<?> viewInput(String consumer, PCollectionView<?> view) {
    PCollection<?> input = viewInputs.get(view.getTagInternal().getId());
    if (input == null) {
      input = view.getPCollection();
    }
    if (input == null || !pcollectionIds.containsKey(input)) {
      throw new UnsupportedTransformException(
          consumer,
          PTransformTranslation.PAR_DO_TRANSFORM_URN,
          "side input " + view.getTagInternal().getId() + " is not produced in this pipeline");
    }
    return input;
  }

  /** Reshuffle and Redistribute: the output is the input, routed anew. */
  private void exchangeOnly(TransformHierarchy.Node node, ExchangeKind kind) {
    PCollection<?> input = mainInput(node);
    PCollection<?> output = singleOutput(node);
    Coder<?> keyCoder = null;
    if (kind == ExchangeKind.KEYED) {
      if (!(input.getCoder() instanceof KvCoder)) {
        throw new UnsupportedTransformException(
            node.getFullName(),
            PTransformTranslation.RESHUFFLE_URN,
            "its input coder is not a KvCoder: " + input.getCoder());
      }
      keyCoder = ((KvCoder<?, ?>) input.getCoder()).getKeyCoder();
    }
    StagePlan stage = newStage(node.getFullName());
    unbounded |= output.isBounded() == PCollection.IsBounded.UNBOUNDED;
    String outId = idOf(output);
    addEdge(stageOf(input), stage, kind, idOf(input), outId, wireCoder(input), keyCoder, null);
    producerStage.put(outId, stage.id());
    recordProducer(outId, node.getFullName());
  }

  private StagePlan newStage(String name) {
    StagePlan stage = new StagePlan(stages.size(), name, parallelism);
    stages.add(stage);
    return stage;
  }

  private void addOperator(StagePlan stage, OperatorPlan op) {
    stage.addOperator(op);
    for (String out : op.outputs().values()) {
      producerStage.put(out, stage.id());
      recordProducer(out, op.name());
    }
  }

  /** Remembers who makes a PCollection of the pipeline; runner-made ids are not recorded. */
  private void recordProducer(String id, String producer) {
    PCollection<?> pc = pcollections.get(id);
    if (pc != null) {
      producedPCollections.put(id, new PCollectionPlan(id, pc.getName(), producer));
    }
  }

  private void connect(
      PCollection<?> input,
      StagePlan to,
      ExchangeKind kind,
      @Nullable Coder<?> keyCoder,
      @Nullable PCollectionView<?> view) {
    String id = idOf(input);
    addEdge(stageOf(input), to, kind, id, id, wireCoder(input), keyCoder, view);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Coder<WindowedValue<?>> wireCoder(PCollection<?> pc) {
    return (Coder)
        WindowedValues.getFullCoder(
            pc.getCoder(), pc.getWindowingStrategy().getWindowFn().windowCoder());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void addEdge(
      int from,
      StagePlan to,
      ExchangeKind kind,
      String producerPc,
      String consumerPc,
      Coder<WindowedValue<?>> coder,
      @Nullable Coder<?> keyCoder,
      @Nullable PCollectionView<?> view) {
    List<Object> key =
        List.of(from, to.id(), kind, producerPc, consumerPc, view == null ? "" : view.getTagInternal().getId());
    if (edgeIndex.containsKey(key)) {
      return;
    }
    EdgePlan edge =
        new EdgePlan(edges.size(), from, to.id(), kind, producerPc, consumerPc, coder, keyCoder, view);
    edges.add(edge);
    edgeIndex.put(key, edge.id());
    stages.get(from).addOutputEdge(edge.id());
    to.addInputEdge(edge.id());
  }

  private String idOf(PCollection<?> pc) {
    String id = pcollectionIds.get(pc);
    if (id == null) {
      id = "pc" + pcollectionIds.size() + ":" + pc.getName();
      pcollectionIds.put(pc, id);
      pcollections.put(id, pc);
    }
    String target = aliases.get(id);
    while (target != null) {
      id = target;
      target = aliases.get(id);
    }
    return id;
  }

  private int stageOf(PCollection<?> pc) {
    Integer stage = producerStage.get(idOf(pc));
    if (stage == null) {
      throw new IllegalStateException("PCollection " + pc.getName() + " has no producer");
    }
    return stage;
  }

  private Map<String, String> outputs(TransformHierarchy.Node node) {
    Map<String, String> outputs = new LinkedHashMap<>();
    for (Map.Entry<TupleTag<?>, PCollection<?>> e : node.getOutputs().entrySet()) {
      unbounded |= e.getValue().isBounded() == PCollection.IsBounded.UNBOUNDED;
      outputs.put(e.getKey().getId(), idOf(e.getValue()));
    }
    return outputs;
  }

  private static PCollection<?> mainInput(TransformHierarchy.Node node) {
    Map<TupleTag<?>, PValue> additional = node.getTransform().getAdditionalInputs();
    PCollection<?> main = null;
    for (Map.Entry<TupleTag<?>, PCollection<?>> e : node.getInputs().entrySet()) {
      if (!additional.containsKey(e.getKey())) {
        if (main != null && main != e.getValue()) {
          throw new IllegalStateException(node.getFullName() + " has more than one main input");
        }
        main = e.getValue();
      }
    }
    return Objects.requireNonNull(main, () -> node.getFullName() + " has no main input");
  }

  private static PCollection<?> singleOutput(TransformHierarchy.Node node) {
    if (node.getOutputs().size() != 1) {
      throw new IllegalStateException(node.getFullName() + " has not exactly one output");
    }
    return node.getOutputs().values().iterator().next();
  }
}
