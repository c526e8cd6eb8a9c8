package dev.weir.translation;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.Impulse;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.Test;

public class PipelineTranslatorTest {

  private static Pipeline pipeline() {
    // Translation needs no runner; this one only fails if something tried to run.
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(CrashingRunner.class);
    return Pipeline.create(options);
  }

  private static ExecutionPlan translate(Pipeline p) {
    TransformOverrides.apply(p);
    return PipelineTranslator.translate(p, "test", 2, 16);
  }

  private static PCollection<KV<String, Long>> keyed(Pipeline p) {
    return p.apply(Impulse.create())
        .apply(
            MapElements.into(
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                .via((byte[] b) -> KV.of("k", 1L)));
  }

  @Test
  public void elementWiseTransformsFuseIntoTheStageOfTheirInput() {
    Pipeline p = pipeline();
    keyed(p).apply("Second", MapElements.into(TypeDescriptors.strings()).via(KV::getKey));
    ExecutionPlan plan = translate(p);
    assertEquals(1, plan.stages().size());
    assertEquals(3, plan.stage(0).operators().size());
    assertTrue(plan.edges().isEmpty());
  }

  @Test
  public void groupByKeyStartsAStageBehindAKeyedExchange() {
    Pipeline p = pipeline();
    keyed(p).apply(GroupByKey.create());
    ExecutionPlan plan = translate(p);
    assertEquals(2, plan.stages().size());
    EdgePlan edge = plan.edge(0);
    assertEquals(ExchangeKind.KEYED, edge.kind());
    assertEquals(StringUtf8Coder.of(), edge.keyCoder());
    assertThat(plan.stage(1).operators().get(0), instanceOf(GroupByKeyPlan.class));
    assertTrue(plan.stage(1).operators().get(0).isKeyed());
  }

  @Test
  public void statefulParDoFollowsAKeyedExchange() {
    Pipeline p = pipeline();
    keyed(p).apply(ParDo.of(new StatefulFn()));
    ExecutionPlan plan = translate(p);
    assertEquals(ExchangeKind.KEYED, plan.edge(0).kind());
    ParDoPlan parDo = (ParDoPlan) plan.stage(1).operators().get(0);
    assertTrue(parDo.isKeyed());
    assertEquals(StringUtf8Coder.of(), parDo.keyCoder());
  }

  @Test
  public void sideInputsArriveOnBroadcastEdges() {
    Pipeline p = pipeline();
    PCollectionView<List<Long>> view =
        p.apply("Side", Create.of(1L, 2L)).apply(View.asList());
    p.apply("Main", Create.of("a"))
        .apply(ParDo.of(new ReadsSideInput(view)).withSideInputs(view));
    ExecutionPlan plan = translate(p);
    List<EdgePlan> broadcast =
        plan.edges().stream()
            .filter(e -> e.kind() == ExchangeKind.BROADCAST)
            .collect(Collectors.toList());
    assertEquals(1, broadcast.size());
    assertNotNull(broadcast.get(0).sideInput());
    assertEquals(
        view.getTagInternal().getId(), broadcast.get(0).sideInput().getTagInternal().getId());
  }

  @Test
  public void aTriggeredViewIsGroupedIntoPanesByOneSubtaskBeforeItsBroadcast() {
    Pipeline p = pipeline();
    PCollectionView<List<Long>> view =
        p.apply("Side", Create.of(1L, 2L))
            .apply(
                Window.<Long>configure()
                    .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(1)))
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes())
            .apply(View.asList());
    p.apply("Main", Create.of("a"))
        .apply(ParDo.of(new ReadsSideInput(view)).withSideInputs(view));
    ExecutionPlan plan = translate(p);
    EdgePlan broadcast =
        plan.edges().stream().filter(e -> e.kind() == ExchangeKind.BROADCAST).findFirst().get();
    StagePlan grouping = plan.stage(broadcast.fromStage());
    assertEquals(1, grouping.parallelism());
    GroupByKeyPlan group = (GroupByKeyPlan) grouping.operators().get(0);
    assertEquals(view.getWindowingStrategyInternal(), group.windowingStrategy());
    EdgePlan keyed = plan.edge(grouping.inputEdges().get(0));
    assertEquals(ExchangeKind.KEYED, keyed.kind());
    assertEquals(VoidCoder.of(), keyed.keyCoder());
    assertEquals(
        view.getTagInternal().getId(), broadcast.sideInput().getTagInternal().getId());
  }

  @Test
  public void aTriggeredSingletonIsBroadcastElementByElementAsEachIsAWholePane() {
    Pipeline p = pipeline();
    PCollectionView<Long> view =
        p.apply("Side", Create.of(1L, 2L))
            .apply(
                Window.<Long>configure()
                    .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(1)))
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes())
            .apply(Sum.longsGlobally().withoutDefaults().asSingletonView());
    p.apply("Main", Create.of("a"))
        .apply(ParDo.of(new ReadsSingleton(view)).withSideInputs(view));
    ExecutionPlan plan = translate(p);
    assertTrue(plan.stages().stream().noneMatch(s -> s.name().startsWith("ViewPanes/")));
    assertEquals(
        1, plan.edges().stream().filter(e -> e.kind() == ExchangeKind.BROADCAST).count());
  }

  @Test
  public void reshuffleIsOnlyAKeyedExchange() {
    Pipeline p = pipeline();
    keyed(p).apply(Reshuffle.of());
    ExecutionPlan plan = translate(p);
    assertEquals(2, plan.stages().size());
    assertTrue(plan.stage(1).operators().isEmpty());
    EdgePlan edge = plan.edge(0);
    assertEquals(ExchangeKind.KEYED, edge.kind());
    assertTrue(!edge.producerPCollection().equals(edge.consumerPCollection()));
  }

  @Test
  public void planNamesEachPipelinePCollectionAndItsProducingTransform() {
    Pipeline p = pipeline();
    PCollection<String> second =
        keyed(p).apply("Second", MapElements.into(TypeDescriptors.strings()).via(KV::getKey));
    ExecutionPlan plan = translate(p);
    OperatorPlan last = plan.stage(0).operators().get(2);
    PCollectionPlan out = plan.pcollection(last.outputs().values().iterator().next());
    assertNotNull(out);
    assertEquals(second.getName(), out.name());
    assertEquals(last.name(), out.producer());
    assertThat(out.producer(), containsString("Second"));
  }

  @Test
  public void reshuffleOutputIsProducedByTheReshuffleItself() {
    Pipeline p = pipeline();
    PCollection<KV<String, Long>> shuffled = keyed(p).apply("Shuffle", Reshuffle.of());
    ExecutionPlan plan = translate(p);
    PCollectionPlan out = plan.pcollection(plan.edge(0).consumerPCollection());
    assertNotNull(out);
    assertEquals(shuffled.getName(), out.name());
    assertEquals("Shuffle", out.producer());
  }

  @Test
  public void liftedCombinePartialsAreNotPipelinePCollections() {
    Pipeline p = pipeline();
    keyed(p).apply(Sum.longsPerKey());
    ExecutionPlan plan = translate(p);
    String partial = plan.edge(0).producerPCollection();
    assertEquals(null, plan.pcollection(partial));
    GroupByKeyPlan merge = (GroupByKeyPlan) plan.stage(1).operators().get(0);
    PCollectionPlan sums = plan.pcollection(merge.outputs().values().iterator().next());
    assertNotNull(sums);
    assertEquals(merge.name(), sums.producer());
  }

  @Test
  public void combinePerKeyIsLiftedIntoPrecombineAndMerge() {
    Pipeline p = pipeline();
    keyed(p).apply(Sum.longsPerKey());
    ExecutionPlan plan = translate(p);
    assertThat(plan.stage(0).operators().get(2), instanceOf(CombinePrecombinePlan.class));
    GroupByKeyPlan merge = (GroupByKeyPlan) plan.stage(1).operators().get(0);
    assertNotNull(merge.accumulatorMergingFn());
    assertEquals(ExchangeKind.KEYED, plan.edge(0).kind());
  }

  @Test
  public void flattenOfTwoStagesStartsAStageWithForwardEdges() {
    Pipeline p = pipeline();
    PCollection<KV<String, Long>> a = keyed(p);
    PCollection<KV<String, Long>> b = p.apply("Other", Create.of(KV.of("x", 2L)));
    PCollectionList.of(a).and(b).apply(Flatten.pCollections());
    ExecutionPlan plan = translate(p);
    StagePlan last = plan.stages().get(plan.stages().size() - 1);
    assertThat(last.operators().get(0), instanceOf(FlattenPlan.class));
    assertEquals(2, last.inputEdges().size());
    for (int e : last.inputEdges()) {
      assertEquals(ExchangeKind.FORWARD, plan.edge(e).kind());
    }
  }

  @Test
  public void flattenKeepsEachCopyOfARepeatedInput() {
    Pipeline p = pipeline();
    PCollection<KV<String, Long>> a = keyed(p);
    PCollectionList.of(a).and(a).apply(Flatten.pCollections());
    ExecutionPlan plan = translate(p);
    FlattenPlan flatten = (FlattenPlan) plan.stage(0).operators().get(2);
    assertEquals(2, flatten.inputs().size());
  }

  @Test
  public void planSurvivesJavaSerialization() {
    Pipeline p = pipeline();
    keyed(p).apply(GroupByKey.create());
    ExecutionPlan plan = translate(p);
    ExecutionPlan copy = SerializableUtils.clone(plan);
    assertEquals(plan.stages().size(), copy.stages().size());
    assertEquals(plan.edges().size(), copy.edges().size());
  }

  @Test
  public void testStreamMakesTheJobRunOnATestClock() {
    Pipeline p = pipeline();
    p.apply(TestStream.create(VarLongCoder.of()).addElements(1L).advanceWatermarkToInfinity());
    ExecutionPlan plan = translate(p);
    assertTrue(plan.testClock());
    assertThat(plan.stage(0).operators().get(0), instanceOf(TestStreamPlan.class));
  }

  @Test
  public void unsupportedTransformIsRejectedWithItsNameAndUrn() {
    Pipeline p = pipeline();
    p.apply(new UnknownPrimitive());
    UnsupportedTransformException e =
        assertThrows(UnsupportedTransformException.class, () -> translate(p));
    assertThat(e.getMessage(), containsString("UnknownPrimitive"));
    assertThat(e.getMessage(), containsString("URN <none>"));
  }

  /** A primitive transform that no translation knows. */
  private static class UnknownPrimitive
      extends org.apache.beam.sdk.transforms.PTransform<
          org.apache.beam.sdk.values.PBegin, PCollection<Long>> {
    @Override
    public PCollection<Long> expand(org.apache.beam.sdk.values.PBegin input) {
      return PCollection.createPrimitiveOutputInternal(
          input.getPipeline(),
          org.apache.beam.sdk.values.WindowingStrategy.globalDefault(),
          PCollection.IsBounded.BOUNDED,
          VarLongCoder.of());
    }
  }

  private static class StatefulFn extends DoFn<KV<String, Long>, Long> {
    @StateId("sum")
    private final org.apache.beam.sdk.state.StateSpec<org.apache.beam.sdk.state.ValueState<Long>>
        sum = org.apache.beam.sdk.state.StateSpecs.value();

    @ProcessElement
    public void process(
        ProcessContext c,
        @StateId("sum") org.apache.beam.sdk.state.ValueState<Long> state) {
      c.output(c.element().getValue());
    }
  }

  private static class ReadsSingleton extends DoFn<String, Long> {
    private final PCollectionView<Long> view;

    ReadsSingleton(PCollectionView<Long> view) {
      this.view = view;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      c.output(c.sideInput(view));
    }
  }

  private static class ReadsSideInput extends DoFn<String, String> {
    private final PCollectionView<List<Long>> view;

    ReadsSideInput(PCollectionView<List<Long>> view) {
      this.view = view;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      c.output(c.element() + c.sideInput(view).size());
    }
  }
}
