package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;

import dev.weir.translation.ParDoPlan;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.core.LateDataDroppingDoFnRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

/**
 * Side-input windows are dropped once no main-input element can read them; main-input elements
 * that arrive expired are dropped (their side-input windows may be gone), those that wait keep
 * theirs.
 */
public class ParDoOperatorSideInputExpiryTest {
  private static final IntervalWindow FIRST = new IntervalWindow(new Instant(0), new Instant(10_000));

  static class WithSideFn extends DoFn<String, String> {
    private final PCollectionView<Iterable<Integer>> side;

    WithSideFn(PCollectionView<Iterable<Integer>> side) {
      this.side = side;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      c.output(c.element() + ":" + listOf(c.sideInput(side)));
    }
  }

  private static List<Integer> listOf(Iterable<Integer> values) {
    List<Integer> list = new ArrayList<>();
    values.forEach(list::add);
    return list;
  }

  private static ParDoPlan plan() {
    Pipeline p = ParDoPlans.pipeline();
    Window<Integer> sideWindows = Window.into(FixedWindows.of(Duration.standardSeconds(10)));
    Window<String> mainWindows = Window.into(FixedWindows.of(Duration.standardSeconds(10)));
    PCollectionView<Iterable<Integer>> side =
        p.apply("Side", Create.of(5)).apply("SideWindows", sideWindows).apply(View.asIterable());
    p.apply("Main", Create.of("a"))
        .apply("MainWindows", mainWindows)
        .apply("Fn", ParDo.of(new WithSideFn(side)).withSideInputs(side));
    return ParDoPlans.named(p, "Fn");
  }

  private static WindowedValue<?> inFirst(Object value) {
    return WindowedValues.of(value, new Instant(5), FIRST, PaneInfo.NO_FIRING);
  }

  @Test
  public void aMainInputElementThatArrivesExpiredIsDroppedAndCounted() throws Exception {
    ParDoPlan plan = plan();
    List<Object> output = new ArrayList<>();
    FakeOperatorContext context =
        new FakeOperatorContext(0, 1, v -> output.add(v.getValue()))
            .withOutputTag(plan.mainOutputTag().getId());
    ParDoOperator op = new ParDoOperator(plan);
    op.open(context);
    PCollectionView<?> view = plan.sideInputs().get(0);
    op.processSideInput(view, inFirst(1));
    op.advanceSideInputWatermark(view, BoundedWindow.TIMESTAMP_MAX_VALUE);
    op.processElement(inFirst("a"));
    op.advanceInputWatermark(FIRST.maxTimestamp().plus(1));
    op.processElement(inFirst("late"));
    op.finishBundle();

    assertEquals(List.of("a:[1]"), output);
    assertEquals(
        1L,
        (long)
            context
                .metricsContainer()
                .getCounter(
                    MetricName.named(
                        LateDataDroppingDoFnRunner.class,
                        LateDataDroppingDoFnRunner.DROPPED_DUE_TO_LATENESS))
                .getCumulative());
    op.close();
  }

  @Test
  public void atTheEndOfTheInputSideInputsStayForWhatFusedOperatorsStillEmit() throws Exception {
    ParDoPlan plan = plan();
    List<Object> output = new ArrayList<>();
    ParDoOperator op = new ParDoOperator(plan);
    op.open(
        new FakeOperatorContext(0, 1, v -> output.add(v.getValue()))
            .withOutputTag(plan.mainOutputTag().getId()));
    PCollectionView<?> view = plan.sideInputs().get(0);
    op.processSideInput(view, inFirst(1));
    op.advanceSideInputWatermark(view, BoundedWindow.TIMESTAMP_MAX_VALUE);
    op.advanceInputWatermark(BoundedWindow.TIMESTAMP_MAX_VALUE);
    // What an operator before this one outputs when its last bundle ends.
    op.processElement(inFirst("a"));
    op.finishBundle();
    assertEquals(List.of("a:[1]"), output);
    op.close();
  }

  @Test
  public void aPushedBackElementKeepsItsSideInputWindowPastTheMainWatermark() throws Exception {
    ParDoPlan plan = plan();
    List<Object> output = new ArrayList<>();
    ParDoOperator op = new ParDoOperator(plan);
    op.open(
        new FakeOperatorContext(0, 1, v -> output.add(v.getValue()))
            .withOutputTag(plan.mainOutputTag().getId()));
    PCollectionView<?> view = plan.sideInputs().get(0);
    op.processSideInput(view, inFirst(1));
    op.processElement(inFirst("a"));
    op.finishBundle();
    // The main input ends before its side input is ready.
    op.advanceInputWatermark(BoundedWindow.TIMESTAMP_MAX_VALUE);
    assertEquals(List.of(), output);

    op.advanceSideInputWatermark(view, BoundedWindow.TIMESTAMP_MAX_VALUE);
    op.finishBundle();
    assertEquals(List.of("a:[1]"), output);
    op.close();
  }
}
