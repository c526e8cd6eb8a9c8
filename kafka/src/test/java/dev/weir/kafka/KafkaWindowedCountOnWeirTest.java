package dev.weir.kafka;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * KafkaIO's source and sink on Weir against a real broker: records go into a topic of two
 * partitions, a job counts them per key in fixed event-time windows and writes the counts to
 * another topic, and the test reads that topic back. Weir runs the read as KafkaIO's legacy
 * {@code UnboundedSource} (what KafkaIO picks on runners other than Dataflow).
 */
public class KafkaWindowedCountOnWeirTest {
  private static final int RECORDS = 600;
  // Long past: once a partition is caught up its watermark jumps to the wall clock, past every
  // window of the input, so the last windows fire without more input.
  private static final Instant START = Instant.parse("2020-01-01T00:00:00Z");
  private static final java.time.Duration OUTPUT_WAIT = java.time.Duration.ofSeconds(90);

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
  public void boundedReadOfMaxRecordsWritesExactWindowedCounts() throws Exception {
    String input = "bounded-in";
    String output = "bounded-out";
    broker.createTopic(input, WindowedCountPipeline.PARTITIONS);
    broker.createTopic(output, 1);
    broker.produce(WindowedCountPipeline.input(input, START, 0, RECORDS));

    Pipeline pipeline = WindowedCountPipeline.create();
    WindowedCountPipeline.apply(
        pipeline,
        WindowedCountPipeline.read(broker.bootstrapServers(), input).withMaxNumRecords(RECORDS),
        broker.bootstrapServers(),
        output);
    PipelineResult result = pipeline.run();
    assertEquals(
        PipelineResult.State.DONE, result.waitUntilFinish(Duration.standardSeconds(120)));

    List<String> expected = WindowedCountPipeline.expectedOutput(START, 0, RECORDS);
    assertEquals(expected, sortedValues(broker.readTopic(output, expected.size(), OUTPUT_WAIT)));
  }

  @Test
  public void unboundedReadWritesEachWindowOnceItsWatermarkPassesUntilCancelled()
      throws Exception {
    runUnboundedUntilComplete("unbounded", WindowedCountPipeline.create());
  }

  /**
   * Four subtasks read two partitions: KafkaIO gives two splits, so two subtasks read nothing. They
   * must not hold the watermark back, or no window would ever fire.
   */
  @Test
  public void subtasksWithoutPartitionsDoNotHoldBackTheWatermark() throws Exception {
    runUnboundedUntilComplete("spare", WindowedCountPipeline.create("--parallelism=4"));
  }

  private void runUnboundedUntilComplete(String name, Pipeline pipeline) throws Exception {
    String input = name + "-in";
    String output = name + "-out";
    broker.createTopic(input, WindowedCountPipeline.PARTITIONS);
    broker.createTopic(output, 1);
    // Half of the input is there before the job starts, half arrives while it runs.
    broker.produce(WindowedCountPipeline.input(input, START, 0, RECORDS / 2));

    WindowedCountPipeline.apply(
        pipeline,
        WindowedCountPipeline.read(broker.bootstrapServers(), input),
        broker.bootstrapServers(),
        output);
    PipelineResult result = pipeline.run();
    try {
      broker.produce(WindowedCountPipeline.input(input, START, RECORDS / 2, RECORDS));
      List<String> expected = WindowedCountPipeline.expectedOutput(START, 0, RECORDS);
      List<String> written = sortedValues(broker.readTopic(output, expected.size(), OUTPUT_WAIT));
      assertEquals(expected, written);
      assertEquals("an unbounded job runs until cancelled", null, terminalState(result));
    } finally {
      assertEquals(PipelineResult.State.CANCELLED, result.cancel());
    }
  }

  private static PipelineResult.State terminalState(PipelineResult result) {
    PipelineResult.State state = result.getState();
    return state.isTerminal() ? state : null;
  }

  private static List<String> sortedValues(List<ConsumerRecord<String, String>> records) {
    List<String> values = new ArrayList<>();
    for (ConsumerRecord<String, String> record : records) {
      values.add(record.value());
    }
    Collections.sort(values);
    return values;
  }
}
