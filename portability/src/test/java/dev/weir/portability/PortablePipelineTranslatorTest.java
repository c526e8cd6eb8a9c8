package dev.weir.portability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.weir.translation.EdgePlan;
import dev.weir.translation.ExchangeKind;
import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.ParDoPlan;
import dev.weir.translation.StagePlan;
import dev.weir.translation.UnboundedReadPlan;
import java.util.List;
import java.util.Map;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.util.construction.SplittableParDo;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.PipelineTranslation;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Struct;
import org.junit.Test;

public class PortablePipelineTranslatorTest {
  private static final JobInfo JOB = JobInfo.create("job", "job", "", Struct.getDefaultInstance());

  private static Pipeline pipeline() {
    return Pipeline.create(
        PipelineOptionsFactory.fromArgs("--runner=WeirRunner", "--defaultEnvironmentType=EMBEDDED")
            .create());
  }

  private static ExecutionPlan translate(Pipeline p) {
    RunnerApi.Pipeline fused = PortablePipelineTranslator.fuse(PipelineTranslation.toProto(p));
    return PortablePipelineTranslator.translate(fused, JOB, 2, 128);
  }

  static class ToKv extends DoFn<String, KV<String, String>> {
    @ProcessElement
    public void process(@Element String s, OutputReceiver<KV<String, String>> out) {
      out.output(KV.of(s, s));
    }
  }

  static class Ignore<T> extends DoFn<T, Void> {
    @ProcessElement
    public void process() {}
  }

  @Test
  public void groupByKeyStartsAStageBehindAKeyedEdgeAndTheStagesAroundItJoinTheirProducers() {
    Pipeline p = pipeline();
    p.apply(Create.of("a", "b"))
        .apply(ParDo.of(new ToKv()))
        .apply(GroupByKey.create())
        .apply(ParDo.of(new Ignore<>()));

    ExecutionPlan plan = translate(p);

    // Impulse with Create's first stage; Create's read (a splittable DoFn, whose residuals are
    // kept per element) behind a keyed edge by its element, with ToKv; the GroupByKey behind a
    // keyed edge by its key, with the ParDo after it.
    assertEquals(3, plan.stages().size());
    assertEquals(2, plan.edges().size());
    OperatorPlan first = plan.stage(0).operators().get(0);
    assertEquals(PTransformTranslation.IMPULSE_TRANSFORM_URN, first.urn());
    EdgePlan read = plan.edge(0);
    assertEquals(ExchangeKind.KEYED, read.kind());
    assertEquals(0, read.fromStage());
    assertEquals(1, read.toStage());
    assertTrue(String.valueOf(read.keyCoder()), read.keyCoder() instanceof SplittableElementKeyCoder);
    EdgePlan edge = plan.edge(1);
    assertEquals(ExchangeKind.KEYED, edge.kind());
    assertEquals(1, edge.fromStage());
    assertEquals(2, edge.toStage());
    assertTrue(
        plan.stage(1).operators().stream().allMatch(op -> op.urn().equals(ExecutableStage.URN)));
    assertEquals(
        PTransformTranslation.GROUP_BY_KEY_TRANSFORM_URN,
        plan.stage(2).operators().get(0).urn());
    assertEquals(ExecutableStage.URN, plan.stage(2).operators().get(1).urn());
  }

  static class StableSink extends DoFn<KV<String, String>, Void> {
    @ProcessElement
    @RequiresStableInput
    public void process(@Element KV<String, String> e) {}
  }

  @Test
  public void aParDoRequiringStableInputStartsAStageBehindTheEnginesStableInputBuffer()
      throws Exception {
    Pipeline p = pipeline();
    p.apply(Create.of("a", "b"))
        .apply("Keys", ParDo.of(new ToKv()))
        .apply("Sink", ParDo.of(new StableSink()));

    RunnerApi.Pipeline fused = PortablePipelineTranslator.fuse(PipelineTranslation.toProto(p));
    ExecutionPlan plan = PortablePipelineTranslator.translate(fused, JOB, 2, 128);

    // Without the boundary Beam's fuser makes Keys and Sink one stage.
    RunnerApi.ExecutableStagePayload sinkStage = null;
    for (RunnerApi.PTransform t : fused.getComponents().getTransformsMap().values()) {
      if (ExecutableStage.URN.equals(t.getSpec().getUrn())) {
        RunnerApi.ExecutableStagePayload payload =
            RunnerApi.ExecutableStagePayload.parseFrom(t.getSpec().getPayload());
        if (payload.getTransformsList().stream()
            .anyMatch(id -> id.startsWith("Sink"))) {
          sinkStage = payload;
        }
      }
    }
    assertTrue(sinkStage != null);
    assertTrue(
        sinkStage.getTransformsList().toString(),
        sinkStage.getTransformsList().stream().noneMatch(id -> id.startsWith("Keys")));
    assertTrue(sinkStage.getInput(), sinkStage.getInput().endsWith("/WeirStableInput"));
    // Create's read (a splittable DoFn) starts a stage behind a keyed edge: Create's read stage,
    // Keys' stage, the buffer (the engine's ParDo), Sink's stage.
    List<String> urns =
        plan.stage(1).operators().stream().map(OperatorPlan::urn).toList();
    int buffer = urns.indexOf(PTransformTranslation.PAR_DO_TRANSFORM_URN);
    assertTrue(urns.toString(), buffer > 0);
    assertEquals(ExecutableStage.URN, urns.get(buffer - 1));
    assertEquals(ExecutableStage.URN, urns.get(buffer + 1));
    assertEquals(buffer + 2, urns.size());
    ParDoPlan parDo = (ParDoPlan) plan.stage(1).operators().get(buffer);
    assertTrue(
        DoFnSignatures.getSignature(parDo.doFn().getClass())
            .processElement()
            .requiresStableInput());
  }

  static class StatefulStableSink extends DoFn<KV<String, String>, Void> {
    @StateId("s")
    private final StateSpec<ValueState<String>> s = StateSpecs.value();

    @ProcessElement
    @RequiresStableInput
    public void process(@StateId("s") ValueState<String> state) {}
  }

  @Test
  public void aStatefulParDoRequiringStableInputHasItsBufferKeyedInItsOwnStage() {
    Pipeline p = pipeline();
    p.apply(Create.of("a", "b"))
        .apply("Keys", ParDo.of(new ToKv()))
        .apply("Sink", ParDo.of(new StatefulStableSink()));

    ExecutionPlan plan = translate(p);

    // The buffer follows the keyed exchange, keyed itself, and the stateful stage joins it.
    StagePlan last = plan.stage(plan.stages().size() - 1);
    assertEquals(ExchangeKind.KEYED, plan.edge(plan.edges().size() - 1).kind());
    assertEquals(2, last.operators().size());
    ParDoPlan buffer = (ParDoPlan) last.operators().get(0);
    assertTrue(buffer.isKeyed());
    assertEquals(ExecutableStage.URN, last.operators().get(1).urn());
  }

  static class WithTimer extends DoFn<KV<String, String>, Void> {
    @TimerId("t")
    private final TimerSpec t = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @ProcessElement
    public void process(@TimerId("t") Timer timer) {}

    @OnTimer("t")
    public void onTimer() {}
  }

  @Test
  public void aStageWithTimersReadsItsInputOverAKeyedEdge() {
    Pipeline p = pipeline();
    p.apply(Create.of("a")).apply(ParDo.of(new ToKv())).apply("Timed", ParDo.of(new WithTimer()));

    ExecutionPlan plan = translate(p);

    // Its timers are per key: the stage reads its input by key, like a stage with user state.
    assertEquals(2, plan.stages().size());
    assertEquals(ExchangeKind.KEYED, plan.edge(0).kind());
    assertEquals(ExecutableStage.URN, plan.stage(1).operators().get(0).urn());
  }

  @Test
  public void aPrimitiveUnboundedReadIsTheEnginesUnboundedReadAndMakesTheJobStreaming() {
    Pipeline p = pipeline();
    p.apply(Read.from(new SequenceSource(10, 2, 2, 1000)))
        .apply("Ignore", ParDo.of(new Ignore<KV<String, Long>>()));
    SplittableParDo.convertReadBasedSplittableDoFnsToPrimitiveReads(p);

    ExecutionPlan plan = translate(p);

    assertTrue(plan.unbounded());
    List<OperatorPlan> ops = plan.stage(0).operators();
    assertTrue(String.valueOf(ops), ops.get(0) instanceof UnboundedReadPlan);
    // The source's coder is a standard one: its values go to the harness as they are.
    assertEquals(ExecutableStage.URN, ops.get(1).urn());
    assertEquals(2, ops.size());
  }

  @Test
  public void valuesOfACoderOnlyJavaKnowsAreTurnedIntoTheRunnersLengthPrefixedBytes() {
    Pipeline p = pipeline();
    p.apply(Create.of("a", "b").withCoder(SerializableCoder.of(String.class)))
        .apply("Ignore", ParDo.of(new Ignore<String>()));
    SplittableParDo.convertReadBasedSplittableDoFnsToPrimitiveReads(p);

    ExecutionPlan plan = translate(p);

    List<OperatorPlan> ops = plan.stage(0).operators();
    assertTrue(String.valueOf(ops), ops.get(0) instanceof UnboundedReadPlan);
    assertEquals(RunnerWirePlan.URN, ops.get(1).urn());
    assertEquals(ExecutableStage.URN, ops.get(2).urn());
  }

  @Test
  public void aPrimitiveReadOfAnotherSdksSourceIsRefusedByName() {
    Pipeline p = pipeline();
    p.apply(Read.from(new SequenceSource(10, 2, 2, 1000)))
        .apply("Ignore", ParDo.of(new Ignore<KV<String, Long>>()));
    SplittableParDo.convertReadBasedSplittableDoFnsToPrimitiveReads(p);
    RunnerApi.Pipeline proto = PipelineTranslation.toProto(p);
    RunnerApi.Components.Builder components = proto.getComponents().toBuilder();
    for (Map.Entry<String, RunnerApi.PTransform> t : proto.getComponents().getTransformsMap().entrySet()) {
      if (t.getValue().getSpec().getUrn().equals(PTransformTranslation.READ_TRANSFORM_URN)) {
        RunnerApi.ReadPayload python =
            RunnerApi.ReadPayload.newBuilder()
                .setIsBounded(RunnerApi.IsBounded.Enum.BOUNDED)
                .setSource(RunnerApi.FunctionSpec.newBuilder().setUrn("beam:python:source:v1"))
                .build();
        components.putTransforms(
            t.getKey(),
            t.getValue().toBuilder()
                .setSpec(t.getValue().getSpec().toBuilder().setPayload(python.toByteString()))
                .build());
      }
    }
    RunnerApi.Pipeline fused =
        PortablePipelineTranslator.fuse(proto.toBuilder().setComponents(components).build());

    UnsupportedOperationException e =
        assertThrows(
            UnsupportedOperationException.class,
            () -> PortablePipelineTranslator.translate(fused, JOB, 2, 128));
    assertThat(e.getMessage(), containsString("beam:python:source:v1"));
  }

  private static RunnerApi.Pipeline compositeRead(String sourceUrn) {
    RunnerApi.ReadPayload payload =
        RunnerApi.ReadPayload.newBuilder()
            .setIsBounded(RunnerApi.IsBounded.Enum.BOUNDED)
            .setSource(RunnerApi.FunctionSpec.newBuilder().setUrn(sourceUrn))
            .build();
    RunnerApi.Components components =
        RunnerApi.Components.newBuilder()
            .putTransforms(
                "read",
                RunnerApi.PTransform.newBuilder()
                    .setUniqueName("Read")
                    .setSpec(
                        RunnerApi.FunctionSpec.newBuilder()
                            .setUrn(PTransformTranslation.READ_TRANSFORM_URN)
                            .setPayload(payload.toByteString()))
                    .setEnvironmentId("env")
                    .addSubtransforms("read/sdf")
                    .putOutputs("out", "pc")
                    .build())
            .putTransforms(
                "read/sdf",
                RunnerApi.PTransform.newBuilder()
                    .setUniqueName("Read/SDF")
                    .setSpec(
                        RunnerApi.FunctionSpec.newBuilder()
                            .setUrn(PTransformTranslation.PAR_DO_TRANSFORM_URN))
                    .putOutputs("out", "pc")
                    .build())
            .build();
    return RunnerApi.Pipeline.newBuilder()
        .setComponents(components)
        .addRootTransformIds("read")
        .build();
  }

  @Test
  public void aReadOfAnotherSdksSourceKeepsItsExpansionForTheHarness() {
    RunnerApi.Pipeline python = compositeRead("beam:python:source:v1");

    RunnerApi.Pipeline result = PortablePipelineTranslator.javaReadsAsLeaves(python);

    assertEquals(python, result);
  }

  @Test
  public void aReadOfAJavaSourceBecomesALeafWithoutAnEnvironment() {
    RunnerApi.Pipeline result =
        PortablePipelineTranslator.javaReadsAsLeaves(
            compositeRead("beam:java:boundedsource:v1"));

    RunnerApi.PTransform read = result.getComponents().getTransformsOrThrow("read");
    assertEquals(0, read.getSubtransformsCount());
    assertEquals("", read.getEnvironmentId());
    assertTrue(!result.getComponents().containsTransforms("read/sdf"));
  }
}
