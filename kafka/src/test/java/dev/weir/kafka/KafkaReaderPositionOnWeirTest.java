package dev.weir.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.fail;

import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.TransformOverrides;
import dev.weir.translation.UnboundedReadPlan;
import dev.weir.worker.operators.SourceControl;
import dev.weir.worker.operators.UnboundedReadOperator;
import dev.weir.worker.operators.UnboundedSplitPosition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.kafka.common.TopicPartition;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The checkpointed position of a Kafka read on Weir: the operator's snapshot entries ({@link
 * UnboundedSplitPosition}s holding KafkaIO's checkpoint marks) restore a read operator that reads
 * on from right after the last record emitted before the snapshot, in every partition; and with
 * checkpoints, {@code commitOffsetsInFinalize()} commits a snapshot's offsets to the consumer group
 * only once its checkpoint has completed.
 */
public class KafkaReaderPositionOnWeirTest {
  private static final int RECORDS = 400;
  // The first half is in the topic before the first run; the second half goes in once that run
  // has taken its snapshot, so the snapshot falls between the halves and the run reads past it.
  private static final int FIRST_HALF = RECORDS / 2;
  private static final long WAIT_SECONDS = 60;
  private static final long POLL_MILLIS = 100;
  private static final Instant START = Instant.parse("2020-01-01T00:00:00Z");

  private static KafkaBroker broker;

  @BeforeClass
  public static void startBroker() throws Exception {
    broker = KafkaBroker.start();
  }

  @AfterClass
  public static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  public void readerRestoredFromASnapshotReadsOnRightAfterTheLastRecordEmittedBeforeIt()
      throws Exception {
    String topic = "position-in";
    broker.createTopic(topic, WindowedCountPipeline.PARTITIONS);
    broker.produce(WindowedCountPipeline.input(topic, START, 0, FIRST_HALF));
    UnboundedReadPlan plan = readPlan(WindowedCountPipeline.read(broker.bootstrapServers(), topic));

    Run first = new Run(false, Map.of());
    first.readUntil(
        plan,
        op -> {
          if (first.snapshot == null && first.emitted.size() >= FIRST_HALF) {
            first.takeSnapshot(op, 1);
            broker.produce(WindowedCountPipeline.input(topic, START, FIRST_HALF, RECORDS));
          }
          return first.emitted.size() >= RECORDS;
        });
    assertNotNull("no bundle ended after " + FIRST_HALF + " records", first.snapshot);
    assertEquals(FIRST_HALF, first.emittedAtSnapshot);

    Run second = new Run(false, first.snapshot);
    second.readUntil(plan, op -> second.emitted.size() >= RECORDS - FIRST_HALF);

    assertEveryOffsetOnce(first.emitted.subList(0, first.emittedAtSnapshot), second.emitted);
  }

  @Test
  public void withCheckpointsOffsetsAreCommittedOnlyOnceTheCheckpointCompletedAndARestoreReadsOn()
      throws Exception {
    String topic = "checkpoint-in";
    String group = "weir-checkpoint-test";
    broker.createTopic(topic, WindowedCountPipeline.PARTITIONS);
    broker.produce(WindowedCountPipeline.input(topic, START, 0, FIRST_HALF));
    KafkaIO.Read<String, String> read =
        WindowedCountPipeline.read(broker.bootstrapServers(), topic)
            .withConsumerConfigUpdates(Map.of("auto.offset.reset", "earliest", "group.id", group))
            .commitOffsetsInFinalize();
    UnboundedReadPlan plan = readPlan(read);
    List<Map<TopicPartition, Long>> committedBeforeCompletion = new ArrayList<>();
    Map<TopicPartition, Long> committedAfterCompletion = new HashMap<>();

    Run first = new Run(true, Map.of());
    long[] nextPoll = {0};
    first.readUntil(
        plan,
        op -> {
          if (first.snapshot == null) {
            if (first.emitted.size() >= FIRST_HALF) {
              first.takeSnapshot(op, 1);
              broker.produce(WindowedCountPipeline.input(topic, START, FIRST_HALF, RECORDS));
            }
            return false;
          }
          if (committedBeforeCompletion.isEmpty()) {
            if (first.emitted.size() < RECORDS) {
              return false;
            }
            // Read everything, checkpoint 1 not complete yet: nothing may be committed.
            committedBeforeCompletion.add(broker.committedOffsets(group));
            op.notifyCheckpointComplete(1);
            return false;
          }
          // KafkaIO commits from its consumer thread after the mark is finalized; wait for it.
          if (System.nanoTime() < nextPoll[0]) {
            return false;
          }
          nextPoll[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS);
          committedAfterCompletion.clear();
          committedAfterCompletion.putAll(broker.committedOffsets(group));
          return !committedAfterCompletion.isEmpty();
        });
    assertEquals(FIRST_HALF, first.emittedAtSnapshot);
    assertEquals(List.of(Map.of()), committedBeforeCompletion);
    // The offsets of the checkpoint, not of everything read: the second half was read after it.
    assertEquals(
        nextOffsets(topic, first.emitted.subList(0, first.emittedAtSnapshot)),
        committedAfterCompletion);

    // A restart from checkpoint 1, as after a failure: the records read after it come again.
    Run second = new Run(true, first.snapshot);
    second.readUntil(plan, op -> second.emitted.size() >= RECORDS - FIRST_HALF);

    assertEveryOffsetOnce(first.emitted.subList(0, first.emittedAtSnapshot), second.emitted);
  }

  @Test
  public void checkpointOfTwoSubtasksRestoresIntoOneThatReadsOnInEveryPartition()
      throws Exception {
    String topic = "rescale-in";
    broker.createTopic(topic, WindowedCountPipeline.PARTITIONS);
    broker.produce(WindowedCountPipeline.input(topic, START, 0, FIRST_HALF));
    UnboundedReadPlan plan = readPlan(WindowedCountPipeline.read(broker.bootstrapServers(), topic));
    int perPartition = FIRST_HALF / WindowedCountPipeline.PARTITIONS;

    // At parallelism 2 the read has a split per partition, one per subtask; each subtask reads
    // its partition's first half, and the checkpoint has both subtasks' entries.
    List<KafkaRecord<?, ?>> before = new ArrayList<>();
    Map<String, byte[]> checkpoint = new HashMap<>();
    for (int subtask = 0; subtask < 2; subtask++) {
      Run run = new Run(subtask, 2, true, Map.of());
      run.readUntil(
          plan,
          op -> {
            if (run.emitted.size() < perPartition) {
              return false;
            }
            run.takeSnapshot(op, 1);
            return true;
          });
      before.addAll(run.emitted);
      checkpoint.putAll(run.snapshot);
    }
    assertEquals(checkpoint.keySet().toString(), 2, checkpoint.size());
    broker.produce(WindowedCountPipeline.input(topic, START, FIRST_HALF, RECORDS));

    Run after = new Run(0, 1, true, checkpoint);
    after.readUntil(plan, op -> after.emitted.size() >= RECORDS - FIRST_HALF);

    assertEveryOffsetOnce(before, after.emitted);
  }

  /** Offsets 0, 1, 2, ... of each partition, across both runs: nothing skipped or read twice. */
  private static void assertEveryOffsetOnce(
      List<KafkaRecord<?, ?>> before, List<KafkaRecord<?, ?>> after) {
    for (int partition = 0; partition < WindowedCountPipeline.PARTITIONS; partition++) {
      List<Long> all = new ArrayList<>(offsets(before, partition));
      all.addAll(offsets(after, partition));
      List<Long> expected = new ArrayList<>();
      for (long offset = 0; offset < RECORDS / WindowedCountPipeline.PARTITIONS; offset++) {
        expected.add(offset);
      }
      assertEquals("offsets of partition " + partition, expected, all);
    }
  }

  /** The offset after the last of {@code records} in each partition, as a consumer commits it. */
  private static Map<TopicPartition, Long> nextOffsets(
      String topic, List<KafkaRecord<?, ?>> records) {
    Map<TopicPartition, Long> next = new HashMap<>();
    for (KafkaRecord<?, ?> record : records) {
      next.merge(
          new TopicPartition(topic, record.getPartition()), record.getOffset() + 1, Math::max);
    }
    return next;
  }

  /** What a run does at each bundle boundary; returns true to stop reading there. */
  private interface AtBoundary {
    boolean stopAfter(UnboundedReadOperator op) throws Exception;
  }

  /** One run of a read operator: what it emitted, and the snapshot it took once. */
  private static final class Run {
    private final int subtask;
    private final int parallelism;
    private final boolean checkpointing;
    private final Map<String, byte[]> restoreFrom;
    final List<KafkaRecord<?, ?>> emitted = new ArrayList<>();
    @Nullable Map<String, byte[]> snapshot;
    int emittedAtSnapshot;

    /** A run with checkpoints on or off, restoring from {@code restoreFrom} unless empty. */
    Run(boolean checkpointing, Map<String, byte[]> restoreFrom) {
      this(0, 1, checkpointing, restoreFrom);
    }

    /** Like the one above, as subtask {@code subtask} of {@code parallelism}. */
    Run(int subtask, int parallelism, boolean checkpointing, Map<String, byte[]> restoreFrom) {
      this.subtask = subtask;
      this.parallelism = parallelism;
      this.checkpointing = checkpointing;
      this.restoreFrom = restoreFrom;
    }

    void takeSnapshot(UnboundedReadOperator op, long checkpointId) {
      snapshot = op.snapshotState(checkpointId);
      emittedAtSnapshot = emitted.size();
    }

    void readUntil(UnboundedReadPlan plan, AtBoundary atBoundary) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      UnboundedReadOperator op = new UnboundedReadOperator(plan);
      op.open(
          new SourceSubtaskContext(
              subtask,
              parallelism,
              element -> emitted.add((KafkaRecord<?, ?>) element.getValue()),
              checkpointing,
              restoreFrom));
      SourceControl control =
          new SourceControl() {
            @Override
            public void endBundleOfSource() {
              boolean stop;
              try {
                stop = atBoundary.stopAfter(op);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
              if (stop) {
                throw new StopReading();
              }
              if (System.nanoTime() > deadline) {
                fail("Read " + emitted.size() + " records and did not stop in " + WAIT_SECONDS
                    + " s");
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
        fail("An unbounded Kafka read ended");
      } catch (StopReading expected) {
        // The run ended where the test wanted it to.
      } finally {
        op.close();
      }
    }
  }

  /** Thrown at a bundle boundary to end a read that would otherwise never end. */
  private static final class StopReading extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  private static UnboundedReadPlan readPlan(KafkaIO.Read<String, String> read) {
    // Translation needs no runner; this one only fails if something tried to run.
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    p.apply("ReadKafka", read);
    TransformOverrides.apply(p);
    ExecutionPlan plan = PipelineTranslator.translate(p, "test", 1, 128);
    for (OperatorPlan operator : plan.stage(0).operators()) {
      if (operator instanceof UnboundedReadPlan) {
        return (UnboundedReadPlan) operator;
      }
    }
    throw new AssertionError("No unbounded read in " + plan);
  }

  private static List<Long> offsets(List<KafkaRecord<?, ?>> records, int partition) {
    List<Long> offsets = new ArrayList<>();
    for (KafkaRecord<?, ?> record : records) {
      if (record.getPartition() == partition) {
        offsets.add(record.getOffset());
      }
    }
    return offsets;
  }
}
