package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;

import dev.weir.translation.ParDoPlan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;
import org.junit.Before;
import org.junit.Test;

/**
 * Bundle-finalization callbacks run once the bundle's input can no longer be replayed: with
 * checkpoints, when the checkpoint covering the bundle completes; without, when the bundle ends.
 */
public class ParDoOperatorBundleFinalizationTest {
  private static final Instant EXPIRY = new Instant(1_000);
  // The DoFn is cloned by the operator, so its callbacks report here.
  private static final List<String> FINALIZED = Collections.synchronizedList(new ArrayList<>());

  private Instant now = new Instant(0);

  static class FinalizingFn extends DoFn<String, String> {
    @ProcessElement
    public void process(@Element String element, BundleFinalizer finalizer) {
      finalizer.afterBundleCommit(EXPIRY, () -> FINALIZED.add(element));
    }
  }

  @Before
  public void clear() {
    FINALIZED.clear();
  }

  private ParDoOperator open(boolean checkpointing) throws Exception {
    Pipeline p = ParDoPlans.pipeline();
    p.apply(Create.of("a")).apply("Fn", ParDo.of(new FinalizingFn()));
    ParDoPlan plan = ParDoPlans.named(p, "Fn");
    FakeOperatorContext context =
        new FakeOperatorContext(0, 1, element -> {})
            .withOutputTag(plan.mainOutputTag().getId())
            .withProcessingTime(() -> now);
    ParDoOperator op = new ParDoOperator(plan);
    op.open(checkpointing ? context.withCheckpointing() : context);
    return op;
  }

  @Test
  public void withCheckpointsCallbacksRunWhenTheCheckpointCoveringTheBundleCompletes()
      throws Exception {
    ParDoOperator op = open(true);
    op.processElement(WindowedValues.valueInGlobalWindow("a"));
    op.finishBundle();
    assertEquals(List.of(), FINALIZED);

    op.snapshotState(1);
    op.processElement(WindowedValues.valueInGlobalWindow("b"));
    op.finishBundle();
    assertEquals(List.of(), FINALIZED);

    op.notifyCheckpointComplete(1);
    assertEquals(List.of("a"), FINALIZED);

    op.snapshotState(2);
    op.notifyCheckpointComplete(2);
    assertEquals(List.of("a", "b"), FINALIZED);
    op.close();
  }

  @Test
  public void callbacksPastTheirExpiryWhenTheCheckpointCompletesAreDropped() throws Exception {
    ParDoOperator op = open(true);
    op.processElement(WindowedValues.valueInGlobalWindow("a"));
    op.finishBundle();
    op.snapshotState(1);

    now = EXPIRY.plus(1);
    op.notifyCheckpointComplete(1);
    assertEquals(List.of(), FINALIZED);
    op.close();
  }

  @Test
  public void atTheEndOfTheInputCallbacksRunWithoutWaitingForACheckpoint() throws Exception {
    ParDoOperator op = open(true);
    op.processElement(WindowedValues.valueInGlobalWindow("a"));
    op.finishBundle();
    op.snapshotState(1);
    op.processElement(WindowedValues.valueInGlobalWindow("b"));
    op.finishBundle();
    assertEquals(List.of(), FINALIZED);

    // The subtask finishes after this, and no checkpoint completes for it any more.
    op.advanceInputWatermark(BoundedWindow.TIMESTAMP_MAX_VALUE);
    assertEquals(List.of("a", "b"), FINALIZED);
    op.processElement(WindowedValues.valueInGlobalWindow("c"));
    op.finishBundle();
    assertEquals(List.of("a", "b", "c"), FINALIZED);
    op.close();
  }

  @Test
  public void withoutCheckpointsCallbacksRunWhenTheBundleEnds() throws Exception {
    ParDoOperator op = open(false);
    op.processElement(WindowedValues.valueInGlobalWindow("a"));
    assertEquals(List.of(), FINALIZED);
    op.finishBundle();
    assertEquals(List.of("a"), FINALIZED);
    op.close();
  }
}
