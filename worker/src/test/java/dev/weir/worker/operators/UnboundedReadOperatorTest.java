package dev.weir.worker.operators;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.TransformOverrides;
import dev.weir.translation.UnboundedReadPlan;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

public class UnboundedReadOperatorTest {

  @Test
  public void restoredReaderContinuesRightAfterTheLastElementEmittedBeforeTheSnapshot()
      throws Exception {
    UnboundedReadPlan plan = readPlan(CountingSource.unbounded());
    Run first = read(plan, fresh(0, 1), 2, Run::snapshot);
    // The snapshot of the first boundary; the first run read on past it, as a failed attempt
    // would have, and what it read after it must come again.
    int emittedBeforeSnapshot = first.emittedAtSnapshot.get(0);
    assertTrue("read on past the snapshot", first.emitted.size() > emittedBeforeSnapshot);

    Run second = read(plan, restored(0, 1, first.snapshots.get(0)), 1, Run::nothing);

    assertCounts(first.emitted.subList(0, emittedBeforeSnapshot), 0, 1);
    assertCounts(second.emitted, emittedBeforeSnapshot, 1);
  }

  @Test
  public void eachSplitOfASubtaskHasItsOwnEntryAndResumesFromItsOwnMark() throws Exception {
    String id = UUID.randomUUID().toString();
    UnboundedReadPlan plan = readPlan(new FixedSplitsSource(id, 4));
    // Subtask 1 of 2 reads splits 1 and 3: the counts 1, 5, 9, ... and 3, 7, 11, ...
    Run first = read(plan, fresh(1, 2), 1, Run::snapshot);
    Map<String, byte[]> entries = first.snapshots.get(0);
    assertEquals(Set.of("split-1", "split-3"), entries.keySet());
    UnboundedSplitPosition position = UnboundedSplitPosition.fromBytes(entries.get("split-3"));
    assertEquals(4, position.splitCount());
    assertEquals(3, position.splitIndex());
    assertFalse(position.finished());

    Run second = read(plan, restored(1, 2, entries), 1, Run::nothing);

    for (long split : List.of(1L, 3L)) {
      List<Long> firstOfSplit = ofSplit(first.emitted, split, 4);
      List<Long> secondOfSplit = ofSplit(second.emitted, split, 4);
      assertFalse("split " + split + " was read before the snapshot", firstOfSplit.isEmpty());
      assertCounts(firstOfSplit, split, 4);
      assertCounts(secondOfSplit, last(firstOfSplit) + 4, 4);
    }
  }

  @Test
  public void restoreAtAnotherParallelismGivesEachSubtaskTheSplitsItNowReads() throws Exception {
    String id = UUID.randomUUID().toString();
    UnboundedReadPlan plan = readPlan(new FixedSplitsSource(id, 4));
    // At parallelism 2, subtask 0 reads splits 0 and 2, subtask 1 splits 1 and 3.
    List<Run> before = new ArrayList<>();
    Map<String, byte[]> union = new HashMap<>();
    for (int subtask = 0; subtask < 2; subtask++) {
      Run run = read(plan, fresh(subtask, 2), 1, Run::snapshot);
      before.add(run);
      union.putAll(run.snapshots.get(0));
    }
    assertEquals(Set.of("split-0", "split-1", "split-2", "split-3"), union.keySet());

    // At parallelism 3, subtask 0 reads splits 0 and 3, subtask 1 split 1, subtask 2 split 2.
    for (int subtask = 0; subtask < 3; subtask++) {
      Run after = read(plan, restored(subtask, 3, union), 1, Run::nothing);
      for (int split = subtask; split < 4; split += 3) {
        List<Long> firstOfSplit = ofSplit(before.get(split % 2).emitted, split, 4);
        assertCounts(ofSplit(after.emitted, split, 4), last(firstOfSplit) + 4, 4);
      }
      for (int split = 0; split < 4; split++) {
        if (split % 3 != subtask) {
          assertEquals(
              "subtask " + subtask + " of 3 read split " + split,
              List.of(),
              ofSplit(after.emitted, split, 4));
        }
      }
    }
  }

  @Test
  public void finishedSplitIsRecordedSoAndStaysFinishedAfterARestore() throws Exception {
    String id = UUID.randomUUID().toString();
    // Split 0 counts 0, 2, 4, 6, 8 and finishes; split 1 counts 1, 3, 5, ... without end.
    UnboundedReadPlan plan = readPlan(FixedSplitsSource.firstSplitEndingBelow(id, 2, 10));
    Run first = read(plan, fresh(0, 1), 1, Run::snapshot);
    Map<String, byte[]> entries = first.snapshots.get(0);
    assertEquals(List.of(0L, 2L, 4L, 6L, 8L), ofSplit(first.emitted, 0, 2));
    assertTrue(UnboundedSplitPosition.fromBytes(entries.get("split-0")).finished());
    assertFalse(UnboundedSplitPosition.fromBytes(entries.get("split-1")).finished());
    assertEquals(List.of(0L, 1L), FixedSplitsSource.readersCreated(id));

    Run second = read(plan, restored(0, 1, entries), 2, Run::snapshot);

    // No reader for split 0 this time, and it is still finished in the next snapshot.
    assertEquals(List.of(0L, 1L, 1L), FixedSplitsSource.readersCreated(id));
    assertEquals(List.of(), ofSplit(second.emitted, 0, 2));
    assertCounts(ofSplit(second.emitted, 1, 2), last(ofSplit(first.emitted, 1, 2)) + 2, 2);
    UnboundedSplitPosition again =
        UnboundedSplitPosition.fromBytes(second.snapshots.get(0).get("split-0"));
    assertTrue(again.finished());
    assertEquals(
        UnboundedSplitPosition.fromBytes(entries.get("split-0")).mark().length,
        again.mark().length);
  }

  @Test
  public void splitWithoutAnEntryInARestoreWasFinishedByItsOldSubtask() throws Exception {
    String id = UUID.randomUUID().toString();
    UnboundedReadPlan plan = readPlan(new FixedSplitsSource(id, 2));
    // Only split 1's reader acknowledged with a position: split 0's subtask had finished.
    Map<String, byte[]> entries = read(plan, fresh(1, 2), 1, Run::snapshot).snapshots.get(0);
    assertEquals(Set.of("split-1"), entries.keySet());
    List<Instant> watermarks = new ArrayList<>();
    List<Object> emitted = new ArrayList<>();

    UnboundedReadOperator op = new UnboundedReadOperator(plan);
    op.open(
        new FakeOperatorContext(0, 2, element -> emitted.add(element.getValue()))
            .withRestoredEntries(entries));
    try {
      op.start(new RecordingControl(watermarks));
    } finally {
      op.close();
    }

    assertEquals(List.of(), emitted);
    assertEquals(List.of(BoundedWindow.TIMESTAMP_MAX_VALUE), watermarks);
    assertEquals(List.of(1L), FixedSplitsSource.readersCreated(id));
  }

  @Test
  public void restoreAtAnotherParallelismAsksTheSourceForTheSplitsOfTheCheckpoint()
      throws Exception {
    UnboundedReadPlan plan = readPlan(CountingSource.unbounded());
    // CountingSource makes as many splits as asked for, one per subtask: split i of 2 counts
    // i, i + 2, i + 4, ...
    List<Run> before = new ArrayList<>();
    Map<String, byte[]> union = new HashMap<>();
    for (int subtask = 0; subtask < 2; subtask++) {
      Run run = read(plan, fresh(subtask, 2), 1, Run::snapshot);
      before.add(run);
      union.putAll(run.snapshots.get(0));
    }

    // At parallelism 1 it would make one split; restored, the one subtask reads both.
    Run after = read(plan, restored(0, 1, union), 1, Run::nothing);

    for (int split = 0; split < 2; split++) {
      List<Long> firstOfSplit = ofSplit(before.get(split).emitted, split, 2);
      assertCounts(firstOfSplit, split, 2);
      assertCounts(ofSplit(after.emitted, split, 2), last(firstOfSplit) + 2, 2);
    }
  }

  @Test
  public void sourceThatNowSplitsDifferentlyIsRefusedNamingIt() throws Exception {
    String id = UUID.randomUUID().toString();
    Map<String, byte[]> ofFourSplits =
        read(readPlan(new FixedSplitsSource(id, 4)), fresh(0, 1), 1, Run::snapshot)
            .snapshots
            .get(0);
    UnboundedReadPlan changed = readPlan(new FixedSplitsSource(id, 3));

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> read(changed, restored(0, 1, ofFourSplits), 1, Run::nothing));

    assertThat(e.getMessage(), containsString("'ReadNumbers' (FixedSplitsSource)"));
    assertThat(e.getMessage(), containsString("the source gave 4 when its checkpoint was taken"));
    assertThat(e.getMessage(), containsString("now splits into 3"));
  }

  @Test
  public void markTheSourceCoderCannotDecodeIsRefusedNamingTheSplit() {
    UnboundedReadPlan plan = readPlan(CountingSource.unbounded());
    byte[] garbled = new UnboundedSplitPosition(1, 1, 0, false, 0, 0, new byte[] {1, 2}).toBytes();

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> read(plan, restored(0, 1, Map.of("split-0", garbled)), 1, Run::nothing));

    assertThat(e.getMessage(), containsString("'ReadNumbers'"));
    assertThat(e.getMessage(), containsString("checkpoint mark of split 0 does not decode"));
  }

  @Test
  public void entryThatIsNoPositionIsRefusedNamingIt() {
    UnboundedReadPlan plan = readPlan(CountingSource.unbounded());
    byte[] text = "not a position".getBytes(StandardCharsets.UTF_8);

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> read(plan, restored(0, 1, Map.of("split-0", text)), 1, Run::nothing));

    assertThat(e.getMessage(), containsString("'ReadNumbers'"));
    assertThat(e.getMessage(), containsString("from entry split-0"));
  }

  @Test
  public void withoutCheckpointsTheMarksOfEachBundleAreFinalizedAfterItAndAreTheSnapshot()
      throws Exception {
    String id = UUID.randomUUID().toString();
    UnboundedReadPlan plan = readPlan(new FixedSplitsSource(id, 2));
    List<Integer> finalizedAtBoundary = new ArrayList<>();
    Run run =
        read(
            plan,
            fresh(0, 1),
            3,
            (r, op, boundary) -> {
              r.snapshot(op, boundary);
              finalizedAtBoundary.add(FixedSplitsSource.finalizedMarks(id).size());
            });

    // While a bundle ends its marks are not finalized yet; those of the bundles before it are.
    assertEquals(List.of(0, 2, 4), finalizedAtBoundary);
    List<Long> finalized = FixedSplitsSource.finalizedMarks(id);
    for (int boundary = 0; boundary < 2; boundary++) {
      List<Long> emitted = run.emitted.subList(0, run.emittedAtSnapshot.get(boundary));
      for (int split = 0; split < 2; split++) {
        long lastEmitted = last(ofSplit(emitted, split, 2));
        assertEquals(lastEmitted, lastInMark(run.snapshots.get(boundary), split));
        assertEquals(lastEmitted, (long) finalized.get(2 * boundary + split));
      }
    }
  }

  @Test
  public void withCheckpointsMarksAreFinalizedOnlyOnceTheirCheckpointOrALaterOneCompleted()
      throws Exception {
    String id = UUID.randomUUID().toString();
    UnboundedReadPlan plan = readPlan(new FixedSplitsSource(id, 2));
    List<Integer> finalizedAtBoundary = new ArrayList<>();
    Map<Long, Map<String, byte[]>> checkpoints = new HashMap<>();
    Run run =
        read(
            plan,
            fresh(0, 1).withCheckpointing(),
            7,
            (r, op, boundary) -> {
              finalizedAtBoundary.add(FixedSplitsSource.finalizedMarks(id).size());
              switch (boundary) {
                case 1:
                case 2:
                case 3:
                  // Checkpoints 1, 2 and 3; 1 never completes (it was aborted).
                  checkpoints.put((long) boundary, op.snapshotState(boundary));
                  break;
                case 4:
                  op.notifyCheckpointComplete(2);
                  break;
                case 6:
                  op.notifyCheckpointComplete(3);
                  break;
                default:
                  break;
              }
            });

    // Bundles end without finalizing anything; completing 2 finalizes the marks of 1 and 2, and
    // completing 3 those of 3.
    assertEquals(List.of(0, 0, 0, 0, 0, 4, 4), finalizedAtBoundary);
    List<Long> expected = new ArrayList<>();
    for (long checkpoint = 1; checkpoint <= 3; checkpoint++) {
      for (int split = 0; split < 2; split++) {
        expected.add(lastInMark(checkpoints.get(checkpoint), split));
      }
    }
    assertEquals(expected, FixedSplitsSource.finalizedMarks(id));
    assertTrue("read on after the last checkpoint", run.emitted.size() > 0);
  }

  @Test
  public void completionOfACheckpointAlreadyFinalizedFinalizesNothingAgain() throws Exception {
    String id = UUID.randomUUID().toString();
    UnboundedReadPlan plan = readPlan(new FixedSplitsSource(id, 1));
    read(
        plan,
        fresh(0, 1).withCheckpointing(),
        4,
        (r, op, boundary) -> {
          if (boundary == 1) {
            op.snapshotState(5);
          } else if (boundary >= 2) {
            // Twice the same, and an older one: only the first finalizes.
            op.notifyCheckpointComplete(boundary == 3 ? 4 : 5);
          }
        });

    assertEquals(1, FixedSplitsSource.finalizedMarks(id).size());
  }

  @Test(timeout = 120_000)
  public void idleSourceKeepsEndingBundlesSoThatACheckpointCanEnter() throws Exception {
    String id = UUID.randomUUID().toString();
    // 50 elements, then no data and a held watermark for ever, as a source waiting for input.
    UnboundedReadPlan plan = readPlan(FixedSplitsSource.idleFrom(id, 1, 50));
    List<Integer> idleBoundaries = new ArrayList<>();
    Run run = new Run();
    UnboundedReadOperator op = new UnboundedReadOperator(plan);
    op.open(new FakeOperatorContext(0, 1, run::add).withCheckpointing());
    try {
      op.start(
          new RecordingControl(new ArrayList<>()) {
            @Override
            public void endBundleOfSource() {
              if (run.emitted.size() == 50) {
                idleBoundaries.add(run.emitted.size());
                if (idleBoundaries.size() == 3) {
                  run.snapshot(op, 3);
                  throw new StopReading();
                }
              }
            }
          });
      fail("An idle unbounded source ended");
    } catch (StopReading expected) {
      // Three bundles ended while the source had nothing to read.
    } finally {
      op.close();
    }

    assertEquals(49L, lastInMark(run.snapshots.get(0), 0));
  }

  @Test
  public void
      withoutCheckpointsASourceThatEndsFinalizesTheMarksOfItsLastBundleBeforeEndingItsOutput()
          throws Exception {
    String id = UUID.randomUUID().toString();
    UnboundedReadPlan plan = readPlan(FixedSplitsSource.endingBelow(id, 2, 2_500));
    List<Long> emitted = new ArrayList<>();
    List<Integer> finalizedAtEnd = new ArrayList<>();
    UnboundedReadOperator op = new UnboundedReadOperator(plan);
    op.open(new FakeOperatorContext(0, 1, element -> emitted.add((Long) element.getValue())));
    op.start(
        new RecordingControl(new ArrayList<>()) {
          @Override
          public void advanceWatermark(Instant watermark) {
            if (!watermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
              finalizedAtEnd.add(FixedSplitsSource.finalizedMarks(id).size());
            }
          }
        });
    op.close();

    assertEquals(2_500, emitted.size());
    List<Long> finalized = FixedSplitsSource.finalizedMarks(id);
    // The last marks (one per split) hold each split's last element, and were finalized
    // before the output's watermark went to the end of time.
    assertEquals(
        Set.of(2_498L, 2_499L),
        Set.copyOf(finalized.subList(finalized.size() - 2, finalized.size())));
    assertEquals(List.of(finalized.size()), finalizedAtEnd);
  }

  @Test(timeout = 120_000)
  public void withCheckpointsASourceThatEndsWaitsForACheckpointTakenAfterTheEndToFinalizeAndEnd()
      throws Exception {
    String id = UUID.randomUUID().toString();
    UnboundedReadPlan plan = readPlan(FixedSplitsSource.endingBelow(id, 2, 2_500));
    Run run = new Run();
    List<Instant> watermarks = new ArrayList<>();
    List<Integer> finalizedAtEnd = new ArrayList<>();
    List<String> afterTheEnd = new ArrayList<>();
    UnboundedReadOperator op = new UnboundedReadOperator(plan);
    op.open(new FakeOperatorContext(0, 1, run::add).withCheckpointing());
    op.start(
        new RecordingControl(watermarks) {
          @Override
          public void endBundleOfSource() {
            if (run.emitted.size() < 2_500) {
              return;
            }
            // Every split has ended: what a subtask's checkpoints do meanwhile.
            int finalized = FixedSplitsSource.finalizedMarks(id).size();
            switch (afterTheEnd.size()) {
              case 0:
                afterTheEnd.add("ended, " + finalized + " finalized");
                run.snapshot(op, 0);
                break;
              case 1:
                // Checkpoint 1 was aborted; checkpoint 2 is taken and completes.
                afterTheEnd.add("checkpoint 1 aborted, " + finalized + " finalized");
                run.snapshot(op, 1);
                break;
              case 2:
                afterTheEnd.add("checkpoint 2 taken, " + finalized + " finalized");
                op.notifyCheckpointComplete(2);
                break;
              default:
                afterTheEnd.add("a bundle after the covering checkpoint completed");
                break;
            }
          }

          @Override
          public void advanceWatermark(Instant watermark) {
            super.advanceWatermark(watermark);
            if (!watermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
              finalizedAtEnd.add(FixedSplitsSource.finalizedMarks(id).size());
            }
          }
        });
    op.close();

    assertEquals(2_500, run.emitted.size());
    // Nothing is finalized at the end itself or when a checkpoint after it is only taken; the
    // output ends right after the completion of one taken after the end.
    assertEquals(
        List.of(
            "ended, 0 finalized",
            "checkpoint 1 aborted, 0 finalized",
            "checkpoint 2 taken, 0 finalized"),
        afterTheEnd);
    List<Long> finalized = FixedSplitsSource.finalizedMarks(id);
    // The marks of checkpoints 1 and 2 (each split's last element), oldest first.
    assertEquals(List.of(2_498L, 2_499L, 2_498L, 2_499L), finalized);
    assertEquals(List.of(4), finalizedAtEnd);
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, watermarks.get(watermarks.size() - 1));
  }

  @Test
  public void withCheckpointsASourceThatEndsStopsWaitingOnceThreeCheckpointsAfterTheEndWereAborted()
      throws Exception {
    String id = UUID.randomUUID().toString();
    UnboundedReadPlan plan = readPlan(FixedSplitsSource.endingBelow(id, 2, 2_500));
    Run run = new Run();
    List<Instant> watermarks = new ArrayList<>();
    List<Integer> taken = new ArrayList<>();
    UnboundedReadOperator op = new UnboundedReadOperator(plan);
    op.open(new FakeOperatorContext(0, 1, run::add).withCheckpointing());
    op.start(
        new RecordingControl(watermarks) {
          @Override
          public void endBundleOfSource() {
            if (run.emitted.size() < 2_500) {
              return;
            }
            // Every checkpoint after the end is declined somewhere and aborted (a job whose
            // checkpoints cannot complete): the source must not wait for ever.
            int checkpoint = taken.size() + 1;
            assertTrue("the read ends after a few aborts, not never", checkpoint <= 10);
            taken.add(FixedSplitsSource.finalizedMarks(id).size());
            run.snapshot(op, checkpoint - 1);
            op.notifyCheckpointAborted(checkpoint);
          }
        });
    op.close();

    // The first checkpoint may come at the last bundle of the read, before the wait; the wait
    // ends at the third abort of a checkpoint taken after the end.
    assertTrue(
        String.valueOf(taken), taken.size() <= UnboundedReadOperator.ABORTS_AFTER_THE_END + 1);
    assertTrue(String.valueOf(taken), taken.size() >= UnboundedReadOperator.ABORTS_AFTER_THE_END);
    assertTrue("nothing finalized while waiting", taken.stream().allMatch(n -> n == 0));
    // Given up on: the marks of every checkpoint (one per split) are finalized, as at the end of
    // a job without checkpoints.
    assertEquals(2 * taken.size(), FixedSplitsSource.finalizedMarks(id).size());
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, watermarks.get(watermarks.size() - 1));
  }

  @Test
  public void snapshotBeforeReadingIsRefused() {
    UnboundedReadOperator op = new UnboundedReadOperator(readPlan(CountingSource.unbounded()));
    op.open(new FakeOperatorContext(0, 1, element -> {}));
    try {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> op.snapshotState(1));
      assertThat(e.getMessage(), containsString("no position before it has started"));
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
    List<Object> first = readToTheEnd(plan, fresh(0, 2));
    List<Object> second = readToTheEnd(plan, fresh(1, 2));

    assertEquals(8_334 + 8_333, first.size());
    assertEquals(8_333, second.size());
    Set<Long> values = new HashSet<>();
    for (Object element : concat(first, second)) {
      values.add((Long) ((ValueWithRecordId<?>) element).getValue());
    }
    assertEquals(25_000, values.size());
  }

  @Test
  public void restoredBoundedReadReadsOnlyWhatIsLeftOfEachSplitsShare() throws Exception {
    // Bundles end by wall time (5 ms): enough records that the first bundle cannot be the whole
    // read, however fast the machine (25,000 once fitted into two bundles).
    int records = 2_000_000;
    UnboundedReadPlan plan =
        readPlan(Read.from(CountingSource.unbounded()).withMaxNumRecords(records));
    Run first = read(plan, fresh(0, 1), 1, Run::snapshot);
    int beforeSnapshot = first.emittedAtSnapshot.get(0);
    assertTrue("the snapshot is within the read", beforeSnapshot < records);

    List<Object> rest = readToTheEnd(plan, restored(0, 1, first.snapshots.get(0)));

    Set<Long> values = new HashSet<>(first.emitted.subList(0, beforeSnapshot));
    for (Object element : rest) {
      values.add((Long) ((ValueWithRecordId<?>) element).getValue());
    }
    assertEquals(records, beforeSnapshot + rest.size());
    assertEquals(records, values.size());
  }

  @Test
  public void boundedReadByTimeEndsThoughTheSourceAlwaysHasData() throws Exception {
    // A source that is never idle: a bound checked only while it has no data would never end.
    UnboundedReadPlan plan =
        readPlan(Read.from(CountingSource.unbounded()).withMaxReadTime(Duration.millis(200)));

    long start = System.nanoTime();
    List<Object> read = readToTheEnd(plan, fresh(0, 1));
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertFalse(read.isEmpty());
    assertTrue("took " + tookMillis + " ms", tookMillis < 10_000);
  }

  /** A subtask context as a test builds it; the receiver is filled in by the run. */
  private interface ContextOf {
    FakeOperatorContext with(ElementReceiver output);

    default ContextOf withCheckpointing() {
      return output -> with(output).withCheckpointing();
    }
  }

  private static ContextOf fresh(int subtask, int parallelism) {
    return output -> new FakeOperatorContext(subtask, parallelism, output);
  }

  private static ContextOf restored(int subtask, int parallelism, Map<String, byte[]> entries) {
    return output ->
        new FakeOperatorContext(subtask, parallelism, output).withRestoredEntries(entries);
  }

  /** Runs a bounded read's operator until it ends, returning what it emitted. */
  private static List<Object> readToTheEnd(UnboundedReadPlan plan, ContextOf context)
      throws Exception {
    List<Object> emitted = new ArrayList<>();
    UnboundedReadOperator op = new UnboundedReadOperator(plan);
    op.open(context.with(element -> emitted.add(element.getValue())));
    try {
      op.start(new RecordingControl(new ArrayList<>()));
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

  /** A source control that does nothing at a boundary and records the watermarks. */
  private static class RecordingControl implements SourceControl {
    private final List<Instant> watermarks;

    RecordingControl(List<Instant> watermarks) {
      this.watermarks = watermarks;
    }

    @Override
    public void endBundleOfSource() {}

    @Override
    public void advanceWatermark(Instant watermark) {
      watermarks.add(watermark);
    }

    @Override
    public void advanceProcessingTime(Instant processingTime) {
      throw new UnsupportedOperationException("Not on a test clock");
    }

    @Override
    public void awaitQuiescence() {}
  }

  /** What one operator emitted until it had ended a number of bundles, and its snapshots. */
  private static final class Run {
    final List<Long> emitted = new ArrayList<>();
    final List<Map<String, byte[]>> snapshots = new ArrayList<>();
    // How many elements had been emitted when each snapshot was taken.
    final List<Integer> emittedAtSnapshot = new ArrayList<>();

    void add(org.apache.beam.sdk.values.WindowedValue<?> element) {
      Object value = element.getValue();
      if (value instanceof ValueWithRecordId) {
        value = ((ValueWithRecordId<?>) value).getValue();
      }
      emitted.add((Long) value);
    }

    /** Takes checkpoint {@code boundary + 1} here, as a subtask would at a trigger. */
    void snapshot(UnboundedReadOperator op, int boundary) {
      snapshots.add(op.snapshotState(boundary + 1));
      emittedAtSnapshot.add(emitted.size());
    }

    void nothing(UnboundedReadOperator op, int boundary) {}
  }

  /** What a test does at each bundle boundary, numbered from 0. */
  private interface AtBoundary {
    void at(Run run, UnboundedReadOperator op, int boundary);
  }

  /** Thrown at a bundle boundary to end a read that would otherwise never end. */
  private static final class StopReading extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  /**
   * Runs an operator until it has ended {@code bundles} bundles, running {@code atBoundary} at each
   * bundle's end.
   */
  private static Run read(
      UnboundedReadPlan plan, ContextOf context, int bundles, AtBoundary atBoundary)
      throws Exception {
    Run run = new Run();
    UnboundedReadOperator op = new UnboundedReadOperator(plan);
    op.open(context.with(run::add));
    int[] boundaries = {0};
    SourceControl control =
        new RecordingControl(new ArrayList<>()) {
          @Override
          public void endBundleOfSource() {
            atBoundary.at(run, op, boundaries[0]);
            boundaries[0]++;
            if (boundaries[0] == bundles) {
              throw new StopReading();
            }
          }
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

  /** The last element of split {@code split}'s mark in a snapshot. */
  private static long lastInMark(Map<String, byte[]> snapshot, int split) {
    byte[] entry = snapshot.get(UnboundedSplitPosition.entryName(split));
    assertNotNull("no entry of split " + split + " in " + snapshot.keySet(), entry);
    Coder<FixedSplitsSource.LastEmitted> coder = new FixedSplitsSource.LastEmittedCoder();
    try {
      return CoderUtils.decodeFromByteArray(coder, UnboundedSplitPosition.fromBytes(entry).mark())
          .last;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static long last(List<Long> values) {
    return values.get(values.size() - 1);
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
