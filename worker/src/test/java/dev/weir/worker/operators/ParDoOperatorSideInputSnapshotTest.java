package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;

import dev.weir.translation.ParDoPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;
import org.junit.Test;

/**
 * What a ParDo with side inputs holds between bundles, the side inputs' contents and the main-input
 * elements waiting for them, is in its snapshot and comes back on restore.
 */
public class ParDoOperatorSideInputSnapshotTest {

  static class WithSideFn extends DoFn<String, String> {
    private final PCollectionView<List<Integer>> side;

    WithSideFn(PCollectionView<List<Integer>> side) {
      this.side = side;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      c.output(c.element() + ":" + new ArrayList<>(c.sideInput(side)));
    }
  }

  private static ParDoPlan plan() {
    Pipeline p = ParDoPlans.pipeline();
    PCollectionView<List<Integer>> side = p.apply("Side", Create.of(5)).apply(View.asList());
    p.apply("Main", Create.of("a"))
        .apply("Fn", ParDo.of(new WithSideFn(side)).withSideInputs(side));
    return ParDoPlans.named(p, "Fn");
  }

  private static PCollectionView<?> view(ParDoPlan plan) {
    return plan.sideInputs().get(0);
  }

  /** A side-input element as it travels on the broadcast edge of a list view. */
  private static WindowedValue<?> sideElement(int value) {
    return WindowedValues.valueInGlobalWindow(value);
  }

  private static ParDoOperator open(
      ParDoPlan plan,
      int subtask,
      int parallelism,
      Map<String, byte[]> restored,
      List<Object> output)
      throws Exception {
    ParDoOperator op = new ParDoOperator(plan);
    op.open(
        new FakeOperatorContext(subtask, parallelism, v -> output.add(v.getValue()))
            .withOutputTag(plan.mainOutputTag().getId())
            .withCheckpointing()
            .withRestoredEntries(restored));
    return op;
  }

  @Test
  public void pushedBackElementsAndSideInputContentsSurviveASnapshot() throws Exception {
    ParDoPlan plan = plan();
    List<Object> output = new ArrayList<>();
    ParDoOperator op = open(plan, 0, 1, Map.of(), output);
    op.processElement(WindowedValues.timestampedValueInGlobalWindow("a", new Instant(3)));
    op.processSideInput(view(plan), sideElement(5));
    op.processSideInput(view(plan), sideElement(6));
    op.finishBundle();
    assertEquals(List.of(), output);
    assertEquals(new Instant(3), op.watermarkHold());
    Map<String, byte[]> entries = op.snapshotState(1);
    op.close();

    List<Object> restoredOutput = new ArrayList<>();
    ParDoOperator restored = open(plan, 0, 1, entries, restoredOutput);
    assertEquals(new Instant(3), restored.watermarkHold());
    restored.advanceSideInputWatermark(view(plan), BoundedWindow.TIMESTAMP_MAX_VALUE);
    restored.finishBundle();
    assertEquals(List.of("a:[5, 6]"), restoredOutput);
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, restored.watermarkHold());
    restored.close();
  }

  @Test
  public void sideInputsReadBeforeTheSnapshotAreReadyAfterTheRestore() throws Exception {
    ParDoPlan plan = plan();
    List<Object> output = new ArrayList<>();
    ParDoOperator op = open(plan, 0, 1, Map.of(), output);
    op.processSideInput(view(plan), sideElement(5));
    op.advanceSideInputWatermark(view(plan), BoundedWindow.TIMESTAMP_MAX_VALUE);
    op.processElement(WindowedValues.valueInGlobalWindow("a"));
    op.finishBundle();
    assertEquals(List.of("a:[5]"), output);
    Map<String, byte[]> entries = new HashMap<>(op.snapshotState(1));
    op.close();
    // Every subtask of a broadcast side input holds the same contents; another's copy is ignored.
    entries.put(SnapshotEntries.name(SideInputStore.ENTRY, 1), entries.get("side-inputs/0"));

    // At another parallelism, each new subtask has the side input, without it arriving again.
    for (int subtask = 0; subtask < 3; subtask++) {
      List<Object> restoredOutput = new ArrayList<>();
      ParDoOperator restored = open(plan, subtask, 3, entries, restoredOutput);
      restored.processElement(WindowedValues.valueInGlobalWindow("b"));
      restored.finishBundle();
      assertEquals(List.of("b:[5]"), restoredOutput);
      restored.close();
    }
  }

  @Test
  public void eachOldSubtasksPushedBackElementsGoToExactlyOneNewSubtask() throws Exception {
    ParDoPlan plan = plan();
    Map<String, byte[]> entries = new HashMap<>();
    List<String> elements = List.of("a", "b", "c");
    for (int subtask = 0; subtask < 3; subtask++) {
      ParDoOperator op = open(plan, subtask, 3, Map.of(), new ArrayList<>());
      op.processElement(WindowedValues.valueInGlobalWindow(elements.get(subtask)));
      op.finishBundle();
      entries.putAll(op.snapshotState(1));
      op.close();
    }

    List<Object> all = new ArrayList<>();
    for (int subtask = 0; subtask < 2; subtask++) {
      ParDoOperator restored = open(plan, subtask, 2, entries, all);
      restored.processSideInput(view(plan), sideElement(1));
      restored.advanceSideInputWatermark(view(plan), BoundedWindow.TIMESTAMP_MAX_VALUE);
      restored.finishBundle();
      restored.close();
    }
    all.sort(null);
    assertEquals(List.of("a:[1]", "b:[1]", "c:[1]"), all);
  }
}
