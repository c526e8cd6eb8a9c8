package dev.weir.worker.operators;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.TransformOverrides;
import dev.weir.translation.UnboundedReadPlan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.CountingSource;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.ValueWithRecordId;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

public class UnboundedReadOperatorTest {

  @Test
  public void restartFromAPositionContinuesRightAfterTheLastElementEmittedBeforeIt()
      throws Exception {
    UnboundedReadPlan plan = readPlan(CountingSource.unbounded());
    Run first = read(plan, 0, 1, null, 2);
    // The position of the first boundary; the first run read on past it, as a failed attempt
    // would have, and what it read after it must come again.
    int emittedBeforePosition = first.emittedAtBoundary.get(0);
    assertTrue("read on past the position", first.emitted.size() > emittedBeforePosition);
    UnboundedSourcePosition position = throughBytes(first.positions.get(0));

    Run second = read(plan, 0, 1, position, 1);

    assertCounts(first.emitted.subList(0, emittedBeforePosition), 0, 1);
    assertCounts(second.emitted, emittedBeforePosition, 1);
  }

  @Test
  public void eachSplitOfASubtaskResumesFromItsOwnMark() throws Exception {
    String id = UUID.randomUUID().toString();
    UnboundedReadPlan plan = readPlan(new FixedSplitsSource(id, 4));
    // Subtask 1 of 2 reads splits 1 and 3: the counts 1, 5, 9, ... and 3, 7, 11, ...
    Run first = read(plan, 1, 2, null, 1);
    UnboundedSourcePosition position = throughBytes(first.positions.get(0));
    assertEquals(4, position.splitCount());
    assertEquals(List.of(1, 3), position.splitIndexes());

    Run second = read(plan, 1, 2, position, 1);

    for (long split : List.of(1L, 3L)) {
      List<Long> firstOfSplit = ofSplit(first.emitted, split, 4);
      List<Long> secondOfSplit = ofSplit(second.emitted, split, 4);
      assertFalse("split " + split + " was read before the position", firstOfSplit.isEmpty());
      assertCounts(firstOfSplit, split, 4);
      assertCounts(secondOfSplit, firstOfSplit.get(firstOfSplit.size() - 1) + 4, 4);
    }
  }

  @Test
  public void marksAreFinalizedAfterTheirBundleEndedAndAreTheMarksReportedAsPosition()
      throws Exception {
    String id = UUID.randomUUID().toString();
    UnboundedReadPlan plan = readPlan(new FixedSplitsSource(id, 2));
    List<Integer> finalizedAtBoundary = new ArrayList<>();
    Run run =
        read(
            plan,
            0,
            1,
            null,
            3,
            () -> finalizedAtBoundary.add(FixedSplitsSource.finalizedMarks(id).size()));

    // While a bundle ends its marks are not finalized yet; those of the bundles before it are.
    assertEquals(List.of(0, 2, 4), finalizedAtBoundary);
    List<Long> finalized = FixedSplitsSource.finalizedMarks(id);
    for (int boundary = 0; boundary < 2; boundary++) {
      UnboundedSourcePosition position = run.positions.get(boundary);
      List<Long> emitted = run.emitted.subList(0, run.emittedAtBoundary.get(boundary));
      for (int split = 0; split < 2; split++) {
        List<Long> ofSplit = ofSplit(emitted, split, 2);
        long lastEmitted = ofSplit.get(ofSplit.size() - 1);
        assertEquals(lastEmitted, lastInMark(position, split));
        assertEquals(lastEmitted, (long) finalized.get(2 * boundary + split));
      }
    }
  }

  @Test
  public void sourceThatEndsFinalizesTheMarksOfItsLastBundleBeforeEndingItsOutput()
      throws Exception {
    String id = UUID.randomUUID().toString();
    UnboundedReadPlan plan = readPlan(FixedSplitsSource.endingBelow(id, 2, 2_500));
    List<Long> emitted = new ArrayList<>();
    List<Integer> finalizedAtEnd = new ArrayList<>();
    UnboundedReadOperator op = new UnboundedReadOperator(plan, null);
    op.open(new FakeOperatorContext(0, 1, element -> emitted.add((Long) element.getValue())));
    op.start(
        new SourceControl() {
          @Override
          public void endBundleOfSource() {}

          @Override
          public void advanceWatermark(Instant watermark) {
            if (!watermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
              finalizedAtEnd.add(FixedSplitsSource.finalizedMarks(id).size());
            }
          }

          @Override
          public void advanceProcessingTime(Instant processingTime) {
            throw new UnsupportedOperationException("Not on a test clock");
          }

          @Override
          public void awaitQuiescence() {}
        });
    op.close();

    assertEquals(2_500, emitted.size());
    List<Long> finalized = FixedSplitsSource.finalizedMarks(id);
    // The last bundle's marks (one per split) hold each split's last element, and were finalized
    // before the output's watermark went to the end of time.
    assertEquals(
        Set.of(2_498L, 2_499L), Set.copyOf(finalized.subList(finalized.size() - 2, finalized.size())));
    assertEquals(List.of(finalized.size()), finalizedAtEnd);
  }

  @Test
  public void positionOfADifferentSplitCountIsRefusedNamingTheSource() throws Exception {
    UnboundedReadPlan plan = readPlan(CountingSource.unbounded());
    // CountingSource makes one split per subtask: two at parallelism 2, one at parallelism 1.
    UnboundedSourcePosition ofTwoSplits = throughBytes(read(plan, 0, 2, null, 1).positions.get(0));

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> read(plan, 0, 1, ofTwoSplits, 1));

    assertThat(e.getMessage(), containsString("'ReadNumbers' (UnboundedCountingSource)"));
    assertThat(e.getMessage(), containsString("the source had 2 splits"));
    assertThat(e.getMessage(), containsString("now splits into 1"));
  }

  @Test
  public void positionOfAnotherSubtasksSplitsIsRefused() throws Exception {
    UnboundedReadPlan plan = readPlan(CountingSource.unbounded());
    UnboundedSourcePosition ofSubtask0 = throughBytes(read(plan, 0, 2, null, 1).positions.get(0));

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> read(plan, 1, 2, ofSubtask0, 1));

    assertThat(e.getMessage(), containsString("'ReadNumbers'"));
    assertThat(e.getMessage(), containsString("holds the marks of splits [0]"));
    assertThat(e.getMessage(), containsString("subtask 1 of 2 reads splits [1]"));
  }

  @Test
  public void markTheSourceCoderCannotDecodeIsRefusedNamingTheSplit() {
    UnboundedReadPlan plan = readPlan(CountingSource.unbounded());
    UnboundedSourcePosition garbled = new UnboundedSourcePosition(1, Map.of(0, new byte[] {1, 2}));

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> read(plan, 0, 1, garbled, 1));

    assertThat(e.getMessage(), containsString("'ReadNumbers'"));
    assertThat(e.getMessage(), containsString("checkpoint mark of split 0 does not decode"));
  }

  @Test
  public void positionIsRefusedOutsideABundleBoundary() throws Exception {
    UnboundedReadOperator op = new UnboundedReadOperator(readPlan(CountingSource.unbounded()));
    op.open(new FakeOperatorContext(0, 1, element -> {}));
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class, op::currentPosition);
      assertThat(e.getMessage(), containsString("only at a bundle boundary"));
    } finally {
      op.close();
    }
  }

  @Test
  public void boundedReadStopsEachSplitAtItsShareOfTheRecords() throws Exception {
    UnboundedReadPlan plan =
        readPlan(Read.from(CountingSource.unbounded()).withMaxNumRecords(25_000));
    assertTrue(plan.bounded());
    // As many splits as the SDK's own expansion asks for: one per 10,000 records.
    assertEquals(3, plan.desiredSplits(2));

    // Subtask 0 of 2 reads splits 0 and 2, subtask 1 split 1; 25,000 records over 3 splits are
    // 8,334, 8,333 and 8,333.
    List<Object> first = readToTheEnd(plan, 0, 2);
    List<Object> second = readToTheEnd(plan, 1, 2);

    assertEquals(8_334 + 8_333, first.size());
    assertEquals(8_333, second.size());
    Set<Long> values = new HashSet<>();
    for (Object element : concat(first, second)) {
      values.add((Long) ((ValueWithRecordId<?>) element).getValue());
    }
    assertEquals(25_000, values.size());
  }

  @Test
  public void boundedReadByTimeEndsThoughTheSourceAlwaysHasData() throws Exception {
    // A source that is never idle: a bound checked only while it has no data would never end.
    UnboundedReadPlan plan =
        readPlan(Read.from(CountingSource.unbounded()).withMaxReadTime(Duration.millis(200)));

    long start = System.nanoTime();
    List<Object> read = readToTheEnd(plan, 0, 1);
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertFalse(read.isEmpty());
    assertTrue("took " + tookMillis + " ms", tookMillis < 10_000);
  }

  /** Runs a bounded read's operator until it ends, returning what it emitted. */
  private static List<Object> readToTheEnd(UnboundedReadPlan plan, int subtask, int parallelism)
      throws Exception {
    List<Object> emitted = new ArrayList<>();
    UnboundedReadOperator op = new UnboundedReadOperator(plan);
    op.open(new FakeOperatorContext(subtask, parallelism, element -> emitted.add(element.getValue())));
    try {
      op.start(
          new SourceControl() {
            @Override
            public void endBundleOfSource() {}

            @Override
            public void advanceWatermark(Instant watermark) {}

            @Override
            public void advanceProcessingTime(Instant processingTime) {
              throw new UnsupportedOperationException("Not on a test clock");
            }

            @Override
            public void awaitQuiescence() {}
          });
    } finally {
      op.close();
    }
    return emitted;
  }

  private static List<Object> concat(List<Object> a, List<Object> b) {
    List<Object> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** What one operator emitted until it had ended a number of bundles, and its positions then. */
  private static final class Run {
    final List<Long> emitted = new ArrayList<>();
    final List<UnboundedSourcePosition> positions = new ArrayList<>();
    // How many elements had been emitted when each position was reported.
    final List<Integer> emittedAtBoundary = new ArrayList<>();
  }

  /** Thrown at a bundle boundary to end a read that would otherwise never end. */
  private static final class StopReading extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  private static Run read(
      UnboundedReadPlan plan,
      int subtask,
      int parallelism,
      @Nullable UnboundedSourcePosition from,
      int bundles)
      throws Exception {
    return read(plan, subtask, parallelism, from, bundles, () -> {});
  }

  /**
   * Runs an operator until it has ended {@code bundles} bundles, taking its position at each
   * bundle's end as a checkpoint would, and running {@code atBoundary} there too.
   */
  private static Run read(
      UnboundedReadPlan plan,
      int subtask,
      int parallelism,
      @Nullable UnboundedSourcePosition from,
      int bundles,
      Runnable atBoundary)
      throws Exception {
    Run run = new Run();
    UnboundedReadOperator op = new UnboundedReadOperator(plan, from);
    op.open(
        new FakeOperatorContext(
            subtask, parallelism, element -> run.emitted.add((Long) element.getValue())));
    SourceControl control =
        new SourceControl() {
          @Override
          public void endBundleOfSource() {
            run.positions.add(op.currentPosition());
            run.emittedAtBoundary.add(run.emitted.size());
            atBoundary.run();
            if (run.positions.size() == bundles) {
              throw new StopReading();
            }
          }

          @Override
          public void advanceWatermark(Instant watermark) {}

          @Override
          public void advanceProcessingTime(Instant processingTime) {
            throw new UnsupportedOperationException("Not on a test clock");
          }

          @Override
          public void awaitQuiescence() {}
        };
    try {
      op.start(control);
      fail("An unbounded source ended");
    } catch (StopReading expected) {
      // The run ended where the test wanted it to.
    } finally {
      op.close();
    }
    return run;
  }

  private static UnboundedReadPlan readPlan(UnboundedSource<Long, ?> source) {
    return readPlan(Read.from(source));
  }

  private static UnboundedReadPlan readPlan(PTransform<PBegin, PCollection<Long>> read) {
    // Translation needs no runner; this one only fails if something tried to run.
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    p.apply("ReadNumbers", read);
    TransformOverrides.apply(p);
    ExecutionPlan plan = PipelineTranslator.translate(p, "test", 1, 128);
    for (OperatorPlan operator : plan.stage(0).operators()) {
      if (operator instanceof UnboundedReadPlan) {
        return (UnboundedReadPlan) operator;
      }
    }
    throw new AssertionError("No unbounded read in " + plan);
  }

  /** The position as a later run gets it: stored as bytes and read back. */
  private static UnboundedSourcePosition throughBytes(UnboundedSourcePosition position) {
    return UnboundedSourcePosition.fromBytes(position.toBytes());
  }

  private static long lastInMark(UnboundedSourcePosition position, int split) throws Exception {
    Coder<FixedSplitsSource.LastEmitted> coder = new FixedSplitsSource.LastEmittedCoder();
    return CoderUtils.decodeFromByteArray(coder, position.mark(split)).last;
  }

  /** The elements of {@code values} that split {@code split} of {@code splits} counts. */
  private static List<Long> ofSplit(List<Long> values, long split, int splits) {
    List<Long> ofSplit = new ArrayList<>();
    for (long value : values) {
      if (value % splits == split) {
        ofSplit.add(value);
      }
    }
    return ofSplit;
  }

  /** {@code values} are {@code first, first + step, ...}: nothing missing, nothing twice. */
  private static void assertCounts(List<Long> values, long first, long step) {
    assertFalse("nothing was emitted", values.isEmpty());
    for (int i = 0; i < values.size(); i++) {
      long expected = first + i * step;
      if (values.get(i) != expected) {
        fail("Element " + i + " is " + values.get(i) + ", expected " + expected);
      }
    }
  }
}
