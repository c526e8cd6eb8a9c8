package dev.weir.portability;

import dev.weir.translation.ExchangeKind;
import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.ExecutionPlanBuilder;
import dev.weir.translation.StagePlan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.runners.fnexecution.wire.WireCoders;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.ReadTranslation;
import org.apache.beam.sdk.util.construction.UnboundedReadFromBoundedSource;
import org.apache.beam.sdk.util.construction.RehydratedComponents;
import org.apache.beam.sdk.util.construction.WindowingStrategyTranslation;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.util.construction.graph.GreedyPipelineFuser;
import org.apache.beam.sdk.util.construction.graph.PipelineNode;
import org.apache.beam.sdk.util.construction.graph.ProtoOverrides;
import org.apache.beam.sdk.util.construction.graph.QueryablePipeline;
import org.apache.beam.sdk.util.construction.graph.SplittableParDoExpander;
import org.apache.beam.sdk.util.construction.graph.TrivialNativeTransformExpander;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a pipeline proto into an {@link ExecutionPlan}. The pipeline is first fused with Beam's
 * {@link GreedyPipelineFuser} into executable stages (user code, run in an SDK harness) and the
 * primitives the engine runs itself: Impulse, a Java unbounded Read, GroupByKey and Flatten. An executable
 * stage joins the Weir stage that produces its input, so a chain Impulse → stage, or GroupByKey →
 * stage, is one Weir stage; GroupByKey starts a Weir stage behind a keyed exchange.
 */
public final class PortablePipelineTranslator {
  private static final Logger LOG = LoggerFactory.getLogger(PortablePipelineTranslator.class);

  /**
   * The transforms the engine runs; the fuser leaves them out of executable stages. Reshuffle is
   * not among them: trimming the Java SDK's Reshuffle composite to a leaf left its output without
   * a producer in Beam's fuser ("consumed but never produced"), so it runs as its expansion (a
   * GroupByKey in the engine, its ParDos in the harness). A Reshuffle that arrives as a leaf is
   * still translated as an exchange.
   */
  static final Set<String> ENGINE_URNS =
      Set.of(
          PTransformTranslation.IMPULSE_TRANSFORM_URN,
          PTransformTranslation.GROUP_BY_KEY_TRANSFORM_URN,
          PTransformTranslation.FLATTEN_TRANSFORM_URN);

  private static final String JAVA_UNBOUNDED_SOURCE_URN = "beam:java:unboundedsource:v1";
  private static final String JAVA_BOUNDED_SOURCE_URN = "beam:java:boundedsource:v1";

  private final RunnerApi.Components components;
  private final JobInfo jobInfo;
  private final int parallelism;
  private final boolean unbounded;
  private final ExecutionPlanBuilder plan = new ExecutionPlanBuilder();
  // Which Weir stage produces each PCollection.
  private final Map<String, StagePlan> producers = new HashMap<>();
  // PCollections a stable-input boundary produced: the stages reading them start with stable input.
  private final Set<String> stableInputs = new HashSet<>();
  // Those of them whose buffer is keyed: the stage reading them needs no exchange of its own.
  private final Set<String> keyedStableInputs = new HashSet<>();

  private PortablePipelineTranslator(
      RunnerApi.Components components, JobInfo jobInfo, int parallelism) {
    this.components = components;
    this.unbounded =
        components.getPcollectionsMap().values().stream()
            .anyMatch(pc -> pc.getIsBounded() == RunnerApi.IsBounded.Enum.UNBOUNDED);
    this.jobInfo = jobInfo;
    this.parallelism = parallelism;
  }

  /**
   * Expands splittable ParDos, keeps the engine's primitives whole and fuses the rest into
   * executable stages, as Beam's portable runners prepare a pipeline. A pipeline fused by its
   * submitter already is left as it is.
   */
  public static RunnerApi.Pipeline fuse(RunnerApi.Pipeline pipeline) {
    RunnerApi.Pipeline expanded =
        ProtoOverrides.updateTransform(
            PTransformTranslation.PAR_DO_TRANSFORM_URN,
            pipeline,
            SplittableParDoExpander.createSizedReplacement());
    RunnerApi.Pipeline trimmed =
        TrivialNativeTransformExpander.forKnownUrns(javaReadsAsLeaves(expanded), ENGINE_URNS);
    boolean fused =
        trimmed.getComponents().getTransformsMap().values().stream()
            .anyMatch(t -> ExecutableStage.URN.equals(t.getSpec().getUrn()));
    return fused
        ? trimmed
        : GreedyPipelineFuser.fuse(StableInputBoundaries.insert(trimmed)).toPipeline();
  }

  /**
   * Makes every Read of a Java source a leaf without an environment, the engine's to run. Reads of
   * other SDKs' sources (a Python Read is a composite of the Read URN over its splittable-DoFn
   * expansion) stay as they are: the harness runs their expansion.
   */
  static RunnerApi.Pipeline javaReadsAsLeaves(RunnerApi.Pipeline pipeline) {
    RunnerApi.Components.Builder components = pipeline.getComponents().toBuilder();
    for (Map.Entry<String, RunnerApi.PTransform> entry :
        pipeline.getComponents().getTransformsMap().entrySet()) {
      RunnerApi.PTransform transform = components.getTransformsOrDefault(entry.getKey(), null);
      if (transform == null || !isJavaRead(transform)) {
        continue;
      }
      removeSubtransforms(components, transform);
      components.putTransforms(
          entry.getKey(), transform.toBuilder().clearSubtransforms().clearEnvironmentId().build());
    }
    return pipeline.toBuilder().setComponents(components).build();
  }

  private static boolean isJavaRead(RunnerApi.PTransform transform) {
    if (!PTransformTranslation.READ_TRANSFORM_URN.equals(transform.getSpec().getUrn())) {
      return false;
    }
    try {
      String source =
          RunnerApi.ReadPayload.parseFrom(transform.getSpec().getPayload()).getSource().getUrn();
      return JAVA_UNBOUNDED_SOURCE_URN.equals(source) || JAVA_BOUNDED_SOURCE_URN.equals(source);
    } catch (IOException e) {
      return false;
    }
  }

  private static void removeSubtransforms(
      RunnerApi.Components.Builder components, RunnerApi.PTransform parent) {
    for (String child : parent.getSubtransformsList()) {
      RunnerApi.PTransform sub = components.getTransformsOrDefault(child, null);
      if (sub != null) {
        removeSubtransforms(components, sub);
        components.removeTransforms(child);
      }
    }
  }

  /**
   * Translates a {@linkplain #fuse fused} pipeline.
   *
   * @throws UnsupportedOperationException naming the first transform Weir cannot run yet
   */
  public static ExecutionPlan translate(
      RunnerApi.Pipeline fused, JobInfo jobInfo, int parallelism, int maxParallelism) {
    PortablePipelineTranslator t =
        new PortablePipelineTranslator(fused.getComponents(), jobInfo, parallelism);
    QueryablePipeline pipeline =
        QueryablePipeline.forTransforms(fused.getRootTransformIdsList(), fused.getComponents());
    for (PipelineNode.PTransformNode transform : pipeline.getTopologicallyOrderedTransforms()) {
      t.translate(transform);
    }
    return t.plan.build(jobInfo.jobName(), maxParallelism, t.unbounded);
  }

  private void translate(PipelineNode.PTransformNode node) {
    RunnerApi.PTransform transform = node.getTransform();
    String urn = transform.getSpec().getUrn();
    String name = transform.getUniqueName().isEmpty() ? node.getId() : transform.getUniqueName();
    switch (urn) {
      case PTransformTranslation.IMPULSE_TRANSFORM_URN:
        {
          String output = onlyOutput(transform);
          StagePlan stage = plan.addStage(name, parallelism);
          plan.addOperator(stage, plan.impulse(name, output));
          produced(output, stage, name);
          return;
        }
      case ExecutableStage.URN:
        translateExecutableStage(node.getId(), name, transform);
        return;
      case PTransformTranslation.READ_TRANSFORM_URN:
        translateRead(name, transform);
        return;
      case StableInputBoundaries.URN:
        {
          // Before a stage with user state or timers: behind the keyed exchange that stage needs,
          // the elements waiting in the key's state (RocksDB), and the stage joins it. Otherwise in
          // the producer's stage, then on to the next stage as usual.
          String input = onlyInput(transform);
          String output = onlyOutput(transform);
          Coder<WindowedValue<?>> wire = wireCoder(input);
          StagePlan stage;
          Coder<?> keyCoder = null;
          if (consumedByKeyedStage(output)) {
            keyCoder = kvCoder(name, urn, wire).getKeyCoder();
            stage = plan.addStage(name, parallelism);
            plan.addEdge(producer(input), stage, ExchangeKind.KEYED, input, input, wire, keyCoder);
            keyedStableInputs.add(output);
          } else {
            stage = producer(input);
          }
          plan.addOperator(
              stage,
              plan.stableInput(
                  name, input, output, valueCoder(wire), windowingStrategy(input), keyCoder));
          stableInputs.add(output);
          produced(output, stage, name);
          return;
        }
      case PTransformTranslation.GROUP_BY_KEY_TRANSFORM_URN:
        {
          String input = onlyInput(transform);
          String output = onlyOutput(transform);
          Coder<WindowedValue<?>> wire = wireCoder(input);
          KvCoder<?, ?> kvCoder = kvCoder(name, urn, wire);
          StagePlan stage = plan.addStage(name, parallelism);
          plan.addEdge(
              producer(input), stage, ExchangeKind.KEYED, input, input, wire, kvCoder.getKeyCoder());
          boolean bounded =
              components.getPcollectionsOrThrow(input).getIsBounded()
                  == RunnerApi.IsBounded.Enum.BOUNDED;
          plan.addOperator(
              stage,
              plan.groupByKey(name, input, output, kvCoder, windowingStrategy(input), bounded));
          produced(output, stage, name);
          return;
        }
      case PTransformTranslation.FLATTEN_TRANSFORM_URN:
        {
          List<String> inputs = new ArrayList<>(transform.getInputsMap().values());
          String output = onlyOutput(transform);
          Set<StagePlan> inputStages = new LinkedHashSet<>();
          for (String input : inputs) {
            inputStages.add(producer(input));
          }
          StagePlan stage;
          if (inputStages.size() == 1) {
            stage = inputStages.iterator().next();
          } else {
            // No input (an empty Flatten) makes a stage that only ends; several make a union.
            stage = plan.addStage(name, parallelism);
            for (String input : new LinkedHashSet<>(inputs)) {
              plan.addEdge(
                  producer(input), stage, ExchangeKind.FORWARD, input, input, wireCoder(input), null);
            }
          }
          // The consuming stage's harness decodes the output's coder: an input of another runner
          // wire coder (a KV where the output is a Java coder's bytes, say) is turned into it.
          Coder<WindowedValue<?>> outputWire = wireCoder(output);
          List<String> flattened = new ArrayList<>();
          for (String input : inputs) {
            if (wireCoder(input).equals(outputWire)) {
              flattened.add(input);
              continue;
            }
            String transcoded = input + "/weir-wire";
            if (!flattened.contains(transcoded)) {
              plan.addOperator(
                  stage,
                  RunnerWirePlan.transcoding(
                      name + "/RunnerWire/" + input,
                      input,
                      transcoded,
                      valueCoder(wireCoder(input)),
                      valueCoder(sdkWireCoder(input)),
                      valueCoder(sdkWireCoder(output)),
                      valueCoder(outputWire)));
            }
            flattened.add(transcoded);
          }
          plan.addOperator(stage, plan.flatten(name, flattened, output));
          produced(output, stage, name);
          return;
        }
      case PTransformTranslation.RESHUFFLE_URN:
        {
          // Nothing but the exchange: the output is the input, routed anew.
          String input = onlyInput(transform);
          String output = onlyOutput(transform);
          Coder<WindowedValue<?>> wire = wireCoder(input);
          StagePlan stage = plan.addStage(name, parallelism);
          plan.addEdge(
              producer(input),
              stage,
              ExchangeKind.KEYED,
              input,
              output,
              wire,
              kvCoder(name, urn, wire).getKeyCoder());
          produced(output, stage, name);
          return;
        }
      default:
        throw new UnsupportedOperationException(
            "Weir cannot run transform '" + name + "' yet: no translation for URN " + urn);
    }
  }

  /**
   * A primitive Read of a Java {@link UnboundedSource} or {@code BoundedSource} (what a Java submitter sends after Beam's
   * {@code SplittableParDo.convertReadBasedSplittableDoFnsToPrimitiveReads}, the {@code
   * use_deprecated_read} route) runs on the engine's unbounded read, as in a classic job: the
   * readers' checkpoint marks go into checkpoints. The source's classes must be on the job
   * server's classpath (as an EMBEDDED harness's user code must be).
   */
  private void translateRead(String name, RunnerApi.PTransform transform) {
    RunnerApi.ReadPayload payload;
    try {
      payload = RunnerApi.ReadPayload.parseFrom(transform.getSpec().getPayload());
    } catch (IOException e) {
      throw new IllegalArgumentException("Read " + name + " has a bad payload", e);
    }
    UnboundedSource<?, ?> source;
    if (payload.getIsBounded() == RunnerApi.IsBounded.Enum.UNBOUNDED
        && JAVA_UNBOUNDED_SOURCE_URN.equals(payload.getSource().getUrn())) {
      source = ReadTranslation.unboundedSourceFromProto(payload);
    } else if (payload.getIsBounded() == RunnerApi.IsBounded.Enum.BOUNDED
        && JAVA_BOUNDED_SOURCE_URN.equals(payload.getSource().getUrn())) {
      // use_deprecated_read makes every Read primitive, Create's too: read as an unbounded source
      // whose watermark jumps to the end of time once it is read.
      try {
        source =
            new UnboundedReadFromBoundedSource.BoundedToUnboundedSourceAdapter<>(
                ReadTranslation.boundedSourceFromProto(payload));
      } catch (IOException e) {
        throw new IllegalArgumentException("Read " + name + " has a bad bounded source", e);
      }
    } else {
      throw new UnsupportedOperationException(
          "Weir cannot run transform '"
              + name
              + "' yet: a primitive Read is run only for a Java source ("
              + JAVA_UNBOUNDED_SOURCE_URN
              + ", "
              + JAVA_BOUNDED_SOURCE_URN
              + "), not for a "
              + payload.getIsBounded()
              + " source of "
              + payload.getSource().getUrn());
    }
    String output = onlyOutput(transform);
    StagePlan stage = plan.addStage(name, parallelism);
    Coder<Object> sdkWire = valueCoder(sdkWireCoder(output));
    Coder<Object> runnerWire = valueCoder(wireCoder(output));
    if (sdkWire.equals(runnerWire)) {
      plan.addOperator(stage, plan.unboundedRead(name, output, source));
    } else {
      String read = output + "/weir-read";
      plan.addOperator(stage, plan.unboundedRead(name, read, source));
      plan.addOperator(
          stage, new RunnerWirePlan(name + "/RunnerWire", read, output, sdkWire, runnerWire));
    }
    produced(output, stage, name);
  }

  private void translateExecutableStage(String id, String name, RunnerApi.PTransform transform) {
    RunnerApi.ExecutableStagePayload payload;
    try {
      payload = RunnerApi.ExecutableStagePayload.parseFrom(transform.getSpec().getPayload());
    } catch (IOException e) {
      throw new IllegalArgumentException("Executable stage " + id + " has a bad payload", e);
    }
    // User state and timers are per key, and so are a splittable DoFn's residuals.
    boolean stateful = ExecutableStagePlan.isStateful(payload);
    boolean splittable = ExecutableStagePlan.isSplittable(payload);
    boolean keyed = stateful || splittable;
    if (stateful && splittable) {
      // Keyed by the input's key for its state, its residuals would be in other subtasks' key
      // groups; Beam's SDKs do not make such stages (a splittable DoFn keeps no user state).
      throw new UnsupportedOperationException(
          "Weir cannot run '" + name + "': a splittable DoFn's stage with user state or timers");
    }
    String input = payload.getInput();
    List<String> outputs = new ArrayList<>(transform.getOutputsMap().values());
    List<SideInputView> sideInputs = sideInputs(name, payload);
    StagePlan stage;
    if (sideInputs.isEmpty() && !keyed) {
      stage = producer(input);
    } else if (stateful && keyedStableInputs.contains(input)) {
      // Its stable-input buffer is keyed already (behind the exchange): it joins it.
      stage = producer(input);
      for (SideInputView view : sideInputs) {
        String side = view.pcollection();
        plan.addEdge(
            producer(side), stage, ExchangeKind.BROADCAST, side, side, wireCoder(side), null, view);
      }
    } else {
      // As a classic stateful ParDo or one with side inputs: its own stage, keyed by the input's
      // key if it keeps state or sets timers, by the element if it is a splittable DoFn's (its
      // residuals stay with the element), the side inputs broadcast to it.
      stage = plan.addStage(name, parallelism);
      Coder<WindowedValue<?>> wire = wireCoder(input);
      Coder<?> keyCoder = null;
      if (stateful) {
        keyCoder = kvCoder(name, ExecutableStage.URN, wire).getKeyCoder();
      } else if (splittable) {
        keyCoder = new SplittableElementKeyCoder(SdfResiduals.elementCoder(wire));
      }
      plan.addEdge(
          producer(input),
          stage,
          keyed ? ExchangeKind.KEYED : ExchangeKind.FORWARD,
          input,
          input,
          wire,
          keyCoder);
      for (SideInputView view : sideInputs) {
        String side = view.pcollection();
        plan.addEdge(
            producer(side), stage, ExchangeKind.BROADCAST, side, side, wireCoder(side), null, view);
      }
    }
    if (!stableInputs.contains(input)) {
      warnOfStableInput(name, payload);
    }
    plan.addOperator(
        stage,
        new ExecutableStagePlan(stepName(name, payload), input, outputs, sideInputs, payload, jobInfo));
    for (String output : outputs) {
      produced(output, stage, name);
    }
  }

  /**
   * A stable-input ParDo inside a stage its submitter fused (no {@link StableInputBoundaries} before
   * it): its input is not held back until a checkpoint covers it, so after a restore it may see
   * what it saw since the checkpoint again.
   */
  private void warnOfStableInput(String name, RunnerApi.ExecutableStagePayload payload) {
    for (String transformId : payload.getTransformsList()) {
      RunnerApi.PTransform t = components.getTransformsOrThrow(transformId);
      if (!PTransformTranslation.PAR_DO_TRANSFORM_URN.equals(t.getSpec().getUrn())) {
        continue;
      }
      try {
        if (RunnerApi.ParDoPayload.parseFrom(t.getSpec().getPayload()).getRequiresStableInput()) {
          LOG.warn(
              "'{}' of stage '{}' requires stable input, which Weir honours only at the start of"
                  + " a stage it fused itself (this pipeline came fused): after a restore from a"
                  + " checkpoint it may process elements again",
              t.getUniqueName(),
              name);
        }
      } catch (IOException e) {
        throw new IllegalArgumentException(t.getUniqueName() + " has a bad ParDo payload", e);
      }
    }
  }

  /** True if an executable stage with user state or timers reads {@code pcollection}. */
  private boolean consumedByKeyedStage(String pcollection) {
    for (RunnerApi.PTransform t : components.getTransformsMap().values()) {
      if (!ExecutableStage.URN.equals(t.getSpec().getUrn())) {
        continue;
      }
      try {
        RunnerApi.ExecutableStagePayload payload =
            RunnerApi.ExecutableStagePayload.parseFrom(t.getSpec().getPayload());
        if (payload.getInput().equals(pcollection)
            && (payload.getUserStatesCount() > 0 || payload.getTimersCount() > 0)) {
          return true;
        }
      } catch (IOException e) {
        throw new IllegalArgumentException(t.getUniqueName() + " has a bad payload", e);
      }
    }
    return false;
  }

  /** One view per PCollection the stage reads as a side input, however many transforms read it. */
  private List<SideInputView> sideInputs(String name, RunnerApi.ExecutableStagePayload payload) {
    Set<String> pcollections = new LinkedHashSet<>();
    for (RunnerApi.ExecutableStagePayload.SideInputId id : payload.getSideInputsList()) {
      pcollections.add(
          components
              .getTransformsOrThrow(id.getTransformId())
              .getInputsOrThrow(id.getLocalName()));
    }
    List<SideInputView> views = new ArrayList<>();
    for (String pc : pcollections) {
      // A bounded pipeline's main input waits for its side inputs to be complete; an unbounded
      // one's waits per window, which needs the side input's windowing.
      views.add(unbounded ? windowedSideInput(name, pc) : new SideInputView(pc));
    }
    return views;
  }

  /**
   * A side input that is ready window by window: its windowing strategy must be one Java can read
   * (the standard window fns, or Java's), which tells when a window is complete.
   */
  private SideInputView windowedSideInput(String name, String pcollection) {
    WindowingStrategy<?, ?> windowing;
    try {
      windowing = windowingStrategy(pcollection);
    } catch (RuntimeException e) {
      throw new UnsupportedOperationException(
          "Weir cannot run '"
              + name
              + "': the windowing of its side input "
              + pcollection
              + " is not one Java can read ("
              + e.getMessage()
              + "), and a streaming job needs it to tell when a window of the side input is"
              + " ready",
          e);
    }
    return new SideInputView(pcollection, windowing, valueCoder(wireCoder(pcollection)));
  }

  /**
   * The step a stage's metrics are reported under: the first user transform's name when the stage
   * has one (what a user looks for), else the fused stage's.
   */
  private String stepName(String stageName, RunnerApi.ExecutableStagePayload payload) {
    for (String transformId : payload.getTransformsList()) {
      RunnerApi.PTransform t = components.getTransformsOrThrow(transformId);
      if (PTransformTranslation.PAR_DO_TRANSFORM_URN.equals(t.getSpec().getUrn())) {
        String unique = t.getUniqueName();
        int slash = unique.indexOf('/');
        return slash > 0 ? unique.substring(0, slash) : unique;
      }
    }
    return stageName;
  }

  private void produced(String pcollection, StagePlan stage, String producer) {
    producers.put(pcollection, stage);
    RunnerApi.PCollection pc = components.getPcollectionsOrDefault(pcollection, null);
    if (pc != null) {
      plan.addPCollection(pcollection, pc.getUniqueName(), producer);
    }
  }

  private StagePlan producer(String pcollection) {
    StagePlan stage = producers.get(pcollection);
    if (stage == null) {
      throw new IllegalStateException("PCollection " + pcollection + " has no producer");
    }
    return stage;
  }

  /** The coder the harness decodes {@code pcollection} with: unknown coders length-prefixed. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Coder<WindowedValue<?>> sdkWireCoder(String pcollection) {
    RunnerApi.Components.Builder withWire = components.toBuilder();
    String id =
        WireCoders.addSdkWireCoder(
            PipelineNode.pCollection(pcollection, components.getPcollectionsOrThrow(pcollection)),
            withWire,
            RunnerApi.ExecutableStagePayload.WireCoderSetting.getDefaultInstance());
    try {
      return (Coder) RehydratedComponents.forComponents(withWire.build()).getCoder(id);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot make the SDK coder of " + pcollection, e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Coder<Object> valueCoder(Coder<WindowedValue<?>> wire) {
    if (!(wire instanceof WindowedValues.WindowedValueCoder)) {
      throw new IllegalArgumentException("Not a windowed value coder: " + wire);
    }
    return (Coder<Object>) ((WindowedValues.WindowedValueCoder<?>) (Coder<?>) wire).getValueCoder();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Coder<WindowedValue<?>> wireCoder(String pcollection) {
    try {
      return (Coder)
          WireCoders.instantiateRunnerWireCoder(
              PipelineNode.pCollection(
                  pcollection, components.getPcollectionsOrThrow(pcollection)),
              components);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot make the coder of " + pcollection, e);
    }
  }

  private static KvCoder<?, ?> kvCoder(String name, String urn, Coder<WindowedValue<?>> wire) {
    Coder<?> value =
        wire instanceof WindowedValues.WindowedValueCoder
            ? ((WindowedValues.WindowedValueCoder<?>) (Coder<?>) wire).getValueCoder()
            : null;
    if (!(value instanceof KvCoder)) {
      throw new UnsupportedOperationException(
          "Weir cannot run '" + name + "' (" + urn + "): its input is not of KV coder but " + wire);
    }
    return (KvCoder<?, ?>) value;
  }

  private WindowingStrategy<?, ?> windowingStrategy(String pcollection) {
    String id = components.getPcollectionsOrThrow(pcollection).getWindowingStrategyId();
    try {
      return WindowingStrategyTranslation.fromProto(
          components.getWindowingStrategiesOrThrow(id),
          RehydratedComponents.forComponents(components));
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read windowing strategy " + id, e);
    }
  }

  private static String onlyInput(RunnerApi.PTransform transform) {
    if (transform.getInputsCount() != 1) {
      throw new IllegalArgumentException(
          transform.getUniqueName() + " has " + transform.getInputsCount() + " inputs, not one");
    }
    return transform.getInputsMap().values().iterator().next();
  }

  private static String onlyOutput(RunnerApi.PTransform transform) {
    if (transform.getOutputsCount() != 1) {
      throw new IllegalArgumentException(
          transform.getUniqueName() + " has " + transform.getOutputsCount() + " outputs, not one");
    }
    return transform.getOutputsMap().values().iterator().next();
  }
}
