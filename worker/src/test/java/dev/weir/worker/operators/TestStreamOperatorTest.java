package dev.weir.worker.operators;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.TestStreamPlan;
import dev.weir.translation.TransformOverrides;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

public class TestStreamOperatorTest {
  private static final Instant T = new Instant(1_000);

  // Events: 0 elements 1, 2; 1 watermark T; 2 processing time +5 s; 3 element 3; 4 watermark end.
  private static final TestStream<Long> STREAM =
      TestStream.create(VarLongCoder.of())
          .addElements(1L, 2L)
          .advanceWatermarkTo(T)
          .advanceProcessingTime(Duration.standardSeconds(5))
          .addElements(3L)
          .advanceWatermarkToInfinity();

  @Test
  public void bundleEndsAfterEveryEventAndItsSnapshotHoldsTheIndexOfTheNextEvent() {
    Played played = play(fresh(0, 1));

    assertEquals(
        List.of(
            "element 1",
            "element 2",
            "snapshot 1",
            "quiesce",
            "watermark " + T,
            "snapshot 2",
            "quiesce",
            "processing time " + afterMin(5_000),
            "snapshot 3",
            "quiesce",
            "element 3",
            "snapshot 4",
            "quiesce",
            "watermark " + BoundedWindow.TIMESTAMP_MAX_VALUE,
            "snapshot 5"),
        played.events);
  }

  @Test
  public void restoredStreamMovesTimeToWhereItWasAndPlaysOnFromTheNextEvent() {
    // The snapshot after the processing-time advance: events 0 to 2 are played.
    Map<String, byte[]> entries = play(fresh(0, 1)).snapshots.get(2);

    Played restored = play(fresh(0, 1).andThen(c -> c.withRestoredEntries(entries)));

    assertEquals(
        List.of(
            "watermark " + T,
            "processing time " + afterMin(5_000),
            "quiesce",
            "element 3",
            "snapshot 4",
            "quiesce",
            "watermark " + BoundedWindow.TIMESTAMP_MAX_VALUE,
            "snapshot 5"),
        restored.events);
  }

  @Test
  public void restoreAfterTheLastEventPlaysNothingMore() {
    List<Map<String, byte[]>> snapshots = play(fresh(0, 1)).snapshots;
    Map<String, byte[]> last = snapshots.get(snapshots.size() - 1);

    Played restored = play(fresh(0, 1).andThen(c -> c.withRestoredEntries(last)));

    assertEquals(
        List.of(
            "watermark " + BoundedWindow.TIMESTAMP_MAX_VALUE,
            "processing time " + afterMin(5_000)),
        restored.events);
  }

  @Test
  public void onlySubtaskZeroPlaysAndHasAnEntry() {
    Played other = play(fresh(1, 2));

    assertEquals(List.of(), other.events);
    assertEquals(Map.of(), other.operator.snapshotState(1));
  }

  @Test
  public void positionBeyondTheStreamIsRefused() {
    Map<String, byte[]> beyond = Map.of(TestStreamOperator.NEXT_EVENT, new byte[] {1, 6});

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> play(fresh(0, 1).andThen(c -> c.withRestoredEntries(beyond))));

    assertThat(e.getMessage(), containsString("TestStream of 5 events from a position at event 6"));
  }

  private static String afterMin(long millis) {
    return BoundedWindow.TIMESTAMP_MIN_VALUE.plus(Duration.millis(millis)).toString();
  }

  /** What a played stream did, in order, and the snapshot taken at each bundle end. */
  private static final class Played {
    final List<String> events = new ArrayList<>();
    final List<Map<String, byte[]>> snapshots = new ArrayList<>();
    TestStreamOperator operator;
  }

  private interface ContextOf {
    FakeOperatorContext with(ElementReceiver output);

    default ContextOf andThen(java.util.function.UnaryOperator<FakeOperatorContext> more) {
      return output -> more.apply(with(output));
    }
  }

  private static ContextOf fresh(int subtask, int parallelism) {
    return output -> new FakeOperatorContext(subtask, parallelism, output);
  }

  private static Played play(ContextOf context) {
    Played played = new Played();
    TestStreamOperator op = new TestStreamOperator(plan());
    played.operator = op;
    op.open(context.with(element -> played.events.add("element " + element.getValue())));
    op.start(
        new SourceControl() {
          @Override
          public void advanceWatermark(Instant watermark) {
            played.events.add("watermark " + watermark);
          }

          @Override
          public void advanceProcessingTime(Instant processingTime) {
            played.events.add("processing time " + processingTime);
          }

          @Override
          public void awaitQuiescence() {
            played.events.add("quiesce");
          }

          @Override
          public void endBundleOfSource() {
            Map<String, byte[]> snapshot = op.snapshotState(played.snapshots.size() + 1);
            played.snapshots.add(snapshot);
            byte[] entry = snapshot.get(TestStreamOperator.NEXT_EVENT);
            // Format version 1, then the index as a var int (small here: one byte).
            assertEquals(2, entry.length);
            assertEquals(1, entry[0]);
            played.events.add("snapshot " + entry[1]);
          }
        });
    op.close();
    return played;
  }

  private static TestStreamPlan plan() {
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    p.apply("Stream", STREAM);
    TransformOverrides.apply(p);
    ExecutionPlan plan = PipelineTranslator.translate(p, "test", 1, 128);
    for (OperatorPlan operator : plan.stage(0).operators()) {
      if (operator instanceof TestStreamPlan) {
        return (TestStreamPlan) operator;
      }
    }
    throw new AssertionError("No TestStream in " + plan);
  }
}
