package dev.weir.translation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.transforms.DoFnSchemaInformation;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Assembles an {@link ExecutionPlan} from outside this module's Java-pipeline translation: the
 * portable job server translates pipeline protos with it. Stages must be added in topological
 * order and operators in topological order within their stage, as {@link PipelineTranslator}
 * does; the engine's primitives (Impulse, GroupByKey, Flatten, unbounded Read) come from here, any other operator
 * kind is an {@link OperatorPlan} subclass of the caller's that the worker knows how to run.
 */
public final class ExecutionPlanBuilder {
  private final List<StagePlan> stages = new ArrayList<>();
  private final List<EdgePlan> edges = new ArrayList<>();
  private final Map<String, PCollectionPlan> pcollections = new HashMap<>();

  /** A new stage with {@code parallelism} subtasks; its id is the number of stages before it. */
  public StagePlan addStage(String name, int parallelism) {
    StagePlan stage = new StagePlan(stages.size(), name, parallelism);
    stages.add(stage);
    return stage;
  }

  public void addOperator(StagePlan stage, OperatorPlan operator) {
    stage.addOperator(operator);
  }

  /** Emits one empty byte array in the global window into {@code output}. */
  public OperatorPlan impulse(String name, String output) {
    return new ImpulsePlan(name, Map.of(output, output));
  }

  /**
   * Reads {@code source} into {@code output} with the engine's unbounded read (its readers' marks
   * in checkpoints), as the Java translation does for a primitive unbounded Read.
   */
  public OperatorPlan unboundedRead(String name, String output, UnboundedSource<?, ?> source) {
    return new UnboundedReadPlan(name, Map.of(output, output), source);
  }

  /** Passes every element of {@code inputs} on to {@code output}. */
  public OperatorPlan flatten(String name, List<String> inputs, String output) {
    return new FlattenPlan(name, inputs, Map.of(output, output));
  }

  /**
   * Groups {@code input}, which must reach the stage over a keyed edge, into {@code output}. A
   * {@code boundedInput} may be grouped all at once when it ends.
   */
  public OperatorPlan groupByKey(
      String name,
      String input,
      String output,
      KvCoder<?, ?> inputCoder,
      WindowingStrategy<?, ?> windowingStrategy,
      boolean boundedInput) {
    return new GroupByKeyPlan(
        name, input, Map.of(output, output), inputCoder, windowingStrategy, boundedInput);
  }

  /**
   * Passes {@code input} on to {@code output} unchanged, but, when the job takes checkpoints, only
   * once the checkpoint covering each element has completed (a ParDo of a {@code
   * RequiresStableInput} pass-through, so the classic path's stable-input buffering holds it). The
   * portable job server puts it before an executable stage whose ParDo requires stable input.
   * With a {@code keyCoder} it is keyed (it must follow a keyed exchange): what waits is kept in
   * the key's state.
   */
  public OperatorPlan stableInput(
      String name,
      String input,
      String output,
      Coder<?> valueCoder,
      WindowingStrategy<?, ?> windowingStrategy,
      @Nullable Coder<?> keyCoder) {
    TupleTag<Object> main = new TupleTag<>("output");
    return new ParDoPlan(
        name,
        input,
        Map.of(main.getId(), output),
        new StableInputPassThrough(),
        main,
        List.of(),
        valueCoder,
        Map.of(main, valueCoder),
        windowingStrategy,
        Map.of(),
        DoFnSchemaInformation.create(),
        keyCoder);
  }

  /** An edge carrying {@code producerPCollection} of stage {@code from} into stage {@code to}. */
  public EdgePlan addEdge(
      StagePlan from,
      StagePlan to,
      ExchangeKind kind,
      String producerPCollection,
      String consumerPCollection,
      Coder<WindowedValue<?>> elementCoder,
      @Nullable Coder<?> keyCoder) {
    return addEdge(
        from, to, kind, producerPCollection, consumerPCollection, elementCoder, keyCoder, null);
  }

  /**
   * An edge that may carry a side input: its data goes to the operators of {@code to} whose
   * {@link OperatorPlan#sideInputs()} hold a view with the same tag.
   */
  public EdgePlan addEdge(
      StagePlan from,
      StagePlan to,
      ExchangeKind kind,
      String producerPCollection,
      String consumerPCollection,
      Coder<WindowedValue<?>> elementCoder,
      @Nullable Coder<?> keyCoder,
      @Nullable PCollectionView<?> sideInput) {
    EdgePlan edge =
        new EdgePlan(
            edges.size(),
            from.id(),
            to.id(),
            kind,
            producerPCollection,
            consumerPCollection,
            elementCoder,
            keyCoder,
            sideInput);
    edges.add(edge);
    from.addOutputEdge(edge.id());
    to.addInputEdge(edge.id());
    return edge;
  }

  /** Names a PCollection of the pipeline and the transform producing it, for metrics. */
  public void addPCollection(String id, String name, String producer) {
    pcollections.put(id, new PCollectionPlan(id, name, producer));
  }

  public ExecutionPlan build(String jobName, int maxParallelism, boolean unbounded) {
    return new ExecutionPlan(jobName, maxParallelism, stages, edges, false, unbounded, pcollections);
  }
}
