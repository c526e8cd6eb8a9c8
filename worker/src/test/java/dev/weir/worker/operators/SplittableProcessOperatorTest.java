package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.memory.InMemoryKeyedStateBackend;
import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.SplittableProcessPlan;
import dev.weir.translation.StagePlan;
import dev.weir.translation.TransformOverrides;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SplittableProcessOperatorTest {
  private static final long COUNT = 25_000;

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** The restriction of an element n: the offsets [0, n). */
  abstract static class OffsetsUpTo extends DoFn<Long, Long> {
    @GetInitialRestriction
    public OffsetRange initial(@Element Long end) {
      return new OffsetRange(0, end);
    }

    @GetRestrictionCoder
    public Coder<OffsetRange> restrictionCoder() {
      return OffsetRange.Coder.of();
    }
  }

  /** Counts from the restriction's start to its end, one output per offset. */
  static final class CountTo extends OffsetsUpTo {
    @ProcessElement
    public void process(RestrictionTracker<OffsetRange, Long> tracker, OutputReceiver<Long> out) {
      for (long i = tracker.currentRestriction().getFrom(); tracker.tryClaim(i); i++) {
        out.output(i);
      }
    }

  }

  @Test
  public void residualOfARestrictionIsInKeyedStateSoARestoredOperatorResumesIt() throws Exception {
    SplittableProcessPlan plan = plan();
    Instant[] now = {new Instant(0)};
    KeyGroupRange range = KeyGroupRange.forSubtask(0, 1, 128);
    List<Long> before = new ArrayList<>();

    // One step processes at most 10,000 outputs and leaves the residual in the key's state with a
    // timer to resume it; the operator's own snapshot entries are empty: nothing else is needed.
    SplittableProcessOperator first = new SplittableProcessOperator(plan);
    // The subtask snapshots the operator's backend; the test holds it to do the same.
    InMemoryKeyedStateBackend backend = new InMemoryKeyedStateBackend(range);
    first.open(context(plan, before, now).withStateBackend(backend));
    first.processElement(
        WindowedValues.valueInGlobalWindow(
            KV.of(new byte[] {7}, KV.of(COUNT, new OffsetRange(0, COUNT)))));
    first.finishBundle();
    assertTrue("one step emitted everything: " + before.size(), before.size() < COUNT);
    assertEquals(Map.of(), first.snapshotState(1));
    Path snapshot = tmp.getRoot().toPath().resolve("chk-1");
    backend.snapshot(snapshot);
    first.close();
    assertTrue(Files.exists(snapshot));

    List<Long> after = new ArrayList<>();
    SplittableProcessOperator restored = new SplittableProcessOperator(plan);
    restored.open(
        context(plan, after, now)
            .withStateBackend(
                InMemoryKeyedStateBackend.restore(
                    range, plan.elementWindowCoder(), List.of(snapshot))));
    for (int step = 0; step < 10 && before.size() + after.size() < COUNT; step++) {
      now[0] = now[0].plus(Duration.standardSeconds(1));
      restored.advanceProcessingTime(now[0]);
      restored.finishBundle();
    }
    restored.close();

    Set<Long> all = new HashSet<>(before);
    all.addAll(after);
    assertEquals("nothing twice", before.size() + after.size(), all.size());
    assertEquals("nothing lost", COUNT, all.size());
  }

  // The DoFn is cloned by the operator, so its callbacks report here.
  private static final List<Long> FINALIZED =
      java.util.Collections.synchronizedList(new ArrayList<>());

  /** Counts like {@link CountTo} and asks to hear when the bundle's outputs are committed. */
  static final class CountToAndFinalize extends OffsetsUpTo {
    @ProcessElement
    public void process(
        @Element Long end,
        RestrictionTracker<OffsetRange, Long> tracker,
        OutputReceiver<Long> out,
        BundleFinalizer finalizer) {
      for (long i = tracker.currentRestriction().getFrom(); tracker.tryClaim(i); i++) {
        out.output(i);
      }
      finalizer.afterBundleCommit(new Instant(1_000), () -> FINALIZED.add(end));
    }

  }

  @Test
  public void withCheckpointsBundleFinalizersRunWhenTheCheckpointCoveringTheBundleCompletes()
      throws Exception {
    FINALIZED.clear();
    SplittableProcessPlan plan = plan(new CountToAndFinalize());
    Instant[] now = {new Instant(0)};
    List<Long> outputs = new ArrayList<>();
    SplittableProcessOperator op = new SplittableProcessOperator(plan);
    op.open(context(plan, outputs, now).withHeapStateBackend().withCheckpointing());
    op.processElement(
        WindowedValues.valueInGlobalWindow(KV.of(new byte[] {1}, KV.of(3L, new OffsetRange(0, 3)))));
    op.finishBundle();
    assertEquals(List.of(0L, 1L, 2L), outputs);
    // The bundle's input may still be replayed from an older checkpoint.
    assertEquals(List.of(), FINALIZED);

    op.snapshotState(1);
    op.processElement(
        WindowedValues.valueInGlobalWindow(KV.of(new byte[] {2}, KV.of(2L, new OffsetRange(0, 2)))));
    op.finishBundle();
    assertEquals(List.of(), FINALIZED);

    op.notifyCheckpointComplete(1);
    assertEquals(List.of(3L), FINALIZED);

    // At the end of the input the subtask finishes without another checkpoint.
    op.advanceInputWatermark(org.apache.beam.sdk.transforms.windowing.BoundedWindow.TIMESTAMP_MAX_VALUE);
    assertEquals(List.of(3L, 2L), FINALIZED);
    op.close();
  }

  @Test
  public void withoutCheckpointsBundleFinalizersRunWhenTheBundleEnds() throws Exception {
    FINALIZED.clear();
    SplittableProcessPlan plan = plan(new CountToAndFinalize());
    Instant[] now = {new Instant(0)};
    SplittableProcessOperator op = new SplittableProcessOperator(plan);
    op.open(context(plan, new ArrayList<>(), now).withHeapStateBackend());
    op.processElement(
        WindowedValues.valueInGlobalWindow(KV.of(new byte[] {1}, KV.of(3L, new OffsetRange(0, 3)))));
    assertEquals(List.of(), FINALIZED);
    op.finishBundle();
    assertEquals(List.of(3L), FINALIZED);
    op.close();
  }

  /** Counts like {@link CountTo}, each output offset by the sum of a side input. */
  static final class CountFromSideSum extends OffsetsUpTo {
    private final PCollectionView<List<Integer>> side;

    CountFromSideSum(PCollectionView<List<Integer>> side) {
      this.side = side;
    }

    @ProcessElement
    public void process(ProcessContext c, RestrictionTracker<OffsetRange, Long> tracker) {
      long base = 0;
      for (int value : c.sideInput(side)) {
        base += value;
      }
      for (long i = tracker.currentRestriction().getFrom(); tracker.tryClaim(i); i++) {
        c.output(base + i);
      }
    }
  }

  @Test
  public void pushedBackElementsAndSideInputContentsSurviveASnapshot() throws Exception {
    SplittableProcessPlan plan = planWithSideInput();
    PCollectionView<?> view = plan.sideInputs().get(0);
    Instant[] now = {new Instant(0)};
    List<Long> before = new ArrayList<>();
    SplittableProcessOperator first = new SplittableProcessOperator(plan);
    first.open(context(plan, before, now).withHeapStateBackend().withCheckpointing());
    // The element comes before its side input is ready, and waits.
    first.processElement(
        WindowedValues.timestampedValueInGlobalWindow(
            KV.of(new byte[] {1}, KV.of(2L, new OffsetRange(0, 2))), new Instant(3)));
    first.processSideInput(view, WindowedValues.valueInGlobalWindow(100));
    first.processSideInput(view, WindowedValues.valueInGlobalWindow(200));
    first.finishBundle();
    assertEquals(List.of(), before);
    assertEquals(new Instant(3), first.watermarkHold());
    Map<String, byte[]> entries = first.snapshotState(1);
    first.close();

    // The side input's producer is past the checkpoint: only its readiness comes again.
    List<Long> after = new ArrayList<>();
    SplittableProcessOperator restored = new SplittableProcessOperator(plan);
    restored.open(
        context(plan, after, now)
            .withHeapStateBackend()
            .withCheckpointing()
            .withRestoredEntries(entries));
    assertEquals(new Instant(3), restored.watermarkHold());
    restored.advanceSideInputWatermark(view, BoundedWindow.TIMESTAMP_MAX_VALUE);
    restored.finishBundle();
    assertEquals(List.of(300L, 301L), after);
    restored.close();
  }

  @Test
  public void atAnotherParallelismEachWaitingElementGoesToTheSubtaskOwningItsKey()
      throws Exception {
    SplittableProcessPlan plan = planWithSideInput();
    PCollectionView<?> view = plan.sideInputs().get(0);
    Instant[] now = {new Instant(0)};
    SplittableProcessOperator first = new SplittableProcessOperator(plan);
    first.open(context(plan, 0, 1, new ArrayList<>(), now).withHeapStateBackend());
    // Key k's restriction is the one offset k.
    for (byte k = 0; k < 8; k++) {
      first.processElement(
          WindowedValues.valueInGlobalWindow(
              KV.of(new byte[] {k}, KV.of((long) k + 1, new OffsetRange(k, k + 1)))));
    }
    first.processSideInput(view, WindowedValues.valueInGlobalWindow(100));
    first.finishBundle();
    Map<String, byte[]> entries = first.snapshotState(1);
    first.close();

    List<Long> all = new ArrayList<>();
    for (int subtask = 0; subtask < 2; subtask++) {
      SplittableProcessOperator restored = new SplittableProcessOperator(plan);
      restored.open(
          context(plan, subtask, 2, all, now).withHeapStateBackend().withRestoredEntries(entries));
      restored.advanceSideInputWatermark(view, BoundedWindow.TIMESTAMP_MAX_VALUE);
      restored.finishBundle();
      restored.close();
    }
    all.sort(null);
    assertEquals(List.of(100L, 101L, 102L, 103L, 104L, 105L, 106L, 107L), all);
  }

  @Test
  public void sourceWorkChainsARestrictionsStepsAndWeighsEachRestrictionByItsSize()
      throws Exception {
    SplittableProcessPlan plan = plan();
    Instant[] now = {new Instant(0)};
    List<Long> out = new ArrayList<>();
    SplittableProcessOperator operator = new SplittableProcessOperator(plan);
    operator.open(context(plan, out, now).withHeapStateBackend());
    assertNull("nothing seen yet", operator.sourceWork());

    // 25,000 offsets: the first step stops at 10,000 outputs (or after a second) and leaves the
    // rest as residual.
    operator.processElement(
        WindowedValues.valueInGlobalWindow(
            KV.of(new byte[] {1}, KV.of(COUNT, new OffsetRange(0, COUNT)))));
    SourceWork afterOneStep = operator.sourceWork();
    assertTrue("one step emitted everything: " + out.size(), out.size() < COUNT);
    assertEquals(25_000, afterOneStep.total(), 0);
    // The tracker counts the offset being claimed when the step split as not done yet.
    assertEquals(out.size(), afterOneStep.done(), 1);

    // 5,000 offsets, all in one step: sizes add up, fractions are not averaged.
    operator.processElement(
        WindowedValues.valueInGlobalWindow(
            KV.of(new byte[] {2}, KV.of(5_000L, new OffsetRange(0, 5_000)))));
    operator.finishBundle();
    SourceWork bothSeen = operator.sourceWork();
    assertEquals(30_000, bothSeen.total(), 0);
    assertEquals(out.size(), bothSeen.done(), 1);
    assertEquals(out.size() / 30_000.0, bothSeen.fraction().getAsDouble(), 1e-4);

    // The residual resumes from its timer, a step per second of processing time.
    double previous = bothSeen.done();
    for (int step = 0; step < 10 && out.size() < COUNT + 5_000; step++) {
      now[0] = now[0].plus(Duration.standardSeconds(1));
      operator.advanceProcessingTime(now[0]);
      operator.finishBundle();
      double done = operator.sourceWork().done();
      assertTrue("done went back from " + previous + " to " + done, done >= previous);
      previous = done;
    }
    assertEquals(COUNT + 5_000, out.size());
    assertEquals(new SourceWork(30_000, 30_000), operator.sourceWork());
    assertEquals(1.0, operator.sourceWork().fraction().getAsDouble(), 0);
    operator.close();
  }

  private FakeOperatorContext context(
      SplittableProcessPlan plan, List<Long> outputs, Instant[] now) {
    return context(plan, 0, 1, outputs, now);
  }

  private FakeOperatorContext context(
      SplittableProcessPlan plan, int subtask, int parallelism, List<Long> outputs, Instant[] now) {
    ElementReceiver receiver = (WindowedValue<?> element) -> outputs.add((Long) element.getValue());
    return new FakeOperatorContext(subtask, parallelism, receiver)
        .withOutputTag(plan.mainOutputTag().getId())
        .withProcessingTime(() -> now[0]);
  }

  private static SplittableProcessPlan plan() {
    return plan(new CountTo());
  }

  private static SplittableProcessPlan plan(DoFn<Long, Long> fn) {
    Pipeline p = pipeline();
    p.apply(Create.of(COUNT)).apply("Count", ParDo.of(fn));
    return translate(p);
  }

  private static SplittableProcessPlan planWithSideInput() {
    Pipeline p = pipeline();
    PCollectionView<List<Integer>> side = p.apply("Side", Create.of(1)).apply(View.asList());
    p.apply("Main", Create.of(COUNT))
        .apply("Count", ParDo.of(new CountFromSideSum(side)).withSideInputs(side));
    return translate(p);
  }

  private static Pipeline pipeline() {
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(CrashingRunner.class);
    return Pipeline.create(options);
  }

  private static SplittableProcessPlan translate(Pipeline p) {
    TransformOverrides.apply(p);
    ExecutionPlan plan = PipelineTranslator.translate(p, "test", 1, 128);
    for (StagePlan stage : plan.stages()) {
      for (OperatorPlan operator : stage.operators()) {
        if (operator instanceof SplittableProcessPlan) {
          return (SplittableProcessPlan) operator;
        }
      }
    }
    throw new AssertionError("No splittable process step in " + plan);
  }
}
