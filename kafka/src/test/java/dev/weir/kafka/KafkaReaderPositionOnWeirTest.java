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
import dev.weir.worker.operators.UnboundedSourcePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Weir's reader position (the checkpoint marks of a source subtask's readers, as {@link
 * UnboundedSourcePosition} bytes) holds KafkaIO's marks: a read operator restored from the
 * position taken at a bundle boundary reads on from right after the last record emitted before
 * it, in every partition. This is what a checkpoint will store; until checkpoints exist nothing
 * stores it, and a restarted job starts from the consumer group or {@code auto.offset.reset}.
 */
public class KafkaReaderPositionOnWeirTest {
  private static final int RECORDS = 400;
  // The first half is in the topic before the first run; the second half goes in once that run
  // has taken its position, so the position falls between the halves and the run reads past it.
  private static final int FIRST_HALF = RECORDS / 2;
  private static final long WAIT_SECONDS = 60;
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
  public void readerRestoredFromAPositionReadsOnRightAfterTheLastRecordEmittedBeforeIt()
      throws Exception {
    String topic = "position-in";
    broker.createTopic(topic, WindowedCountPipeline.PARTITIONS);
    broker.produce(WindowedCountPipeline.input(topic, START, 0, FIRST_HALF));
    UnboundedReadPlan plan = readPlan(topic);

    Run first =
        new Run(
            null,
            FIRST_HALF,
            RECORDS,
            () -> broker.produce(WindowedCountPipeline.input(topic, START, FIRST_HALF, RECORDS)));
    first.readUntilDone(plan);
    assertNotNull("no bundle ended after " + FIRST_HALF + " records", first.position);
    assertEquals(FIRST_HALF, first.emittedAtPosition);
    // Stored and read back, as a restore gets it.
    UnboundedSourcePosition position = UnboundedSourcePosition.fromBytes(first.position.toBytes());

    Run second = new Run(position, Integer.MAX_VALUE, RECORDS - FIRST_HALF, () -> {});
    second.readUntilDone(plan);

    for (int partition = 0; partition < WindowedCountPipeline.PARTITIONS; partition++) {
      List<Long> before = offsets(first.emitted.subList(0, first.emittedAtPosition), partition);
      List<Long> after = offsets(second.emitted, partition);
      List<Long> all = new ArrayList<>(before);
      all.addAll(after);
      // Offsets 0, 1, 2, ... of the partition: nothing skipped, nothing read twice.
      List<Long> expected = new ArrayList<>();
      for (long offset = 0; offset < RECORDS / WindowedCountPipeline.PARTITIONS; offset++) {
        expected.add(offset);
      }
      assertEquals("offsets of partition " + partition, expected, all);
    }
  }

  /** One run of a read operator: what it emitted, and the position it reported once. */
  private static final class Run {
    private final @Nullable UnboundedSourcePosition from;
    private final int positionAfter;
    private final int stopAfter;
    final List<KafkaRecord<?, ?>> emitted = new ArrayList<>();
    private final AtPosition atPosition;
    @Nullable UnboundedSourcePosition position;
    int emittedAtPosition;

    /**
     * Starts from {@code from}, takes the position at the first bundle boundary with at least
     * {@code positionAfter} records emitted and then runs {@code atPosition}, and stops at a
     * boundary with at least {@code stopAfter}.
     */
    Run(
        @Nullable UnboundedSourcePosition from,
        int positionAfter,
        int stopAfter,
        AtPosition atPosition) {
      this.from = from;
      this.positionAfter = positionAfter;
      this.stopAfter = stopAfter;
      this.atPosition = atPosition;
    }

    void readUntilDone(UnboundedReadPlan plan) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      UnboundedReadOperator op = new UnboundedReadOperator(plan, from);
      op.open(
          new SourceSubtaskContext(
              element -> emitted.add((KafkaRecord<?, ?>) element.getValue())));
      SourceControl control =
          new SourceControl() {
            @Override
            public void endBundleOfSource() {
              if (position == null && emitted.size() >= positionAfter) {
                position = op.currentPosition();
                emittedAtPosition = emitted.size();
                try {
                  atPosition.run();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
              if (emitted.size() >= stopAfter) {
                throw new StopReading();
              }
              if (System.nanoTime() > deadline) {
                fail("Read " + emitted.size() + " of " + stopAfter + " in " + WAIT_SECONDS + " s");
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

  /** What a run does once it has its position. */
  private interface AtPosition {
    void run() throws Exception;
  }

  /** Thrown at a bundle boundary to end a read that would otherwise never end. */
  private static final class StopReading extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  private static UnboundedReadPlan readPlan(String topic) {
    // Translation needs no runner; this one only fails if something tried to run.
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    p.apply("ReadKafka", WindowedCountPipeline.read(broker.bootstrapServers(), topic));
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
