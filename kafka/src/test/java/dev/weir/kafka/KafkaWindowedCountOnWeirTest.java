package dev.weir.kafka;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
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
  // Long past: with KafkaIO's CreateTime policy, once a partition is caught up its watermark
  // jumps to the wall clock, past every window of the input, so the last windows fire without
  // more input.
  // Window-aligned, so the first window holds exactly the first RECORDS_PER_WINDOW records.
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

  /**
   * Half of the input is in the topic before the job starts; the job writes the first window's
   * counts (the only window the first half closes), and then the other half arrives, with a last
   * record per partition stamped an hour after the input, which moves the watermarks past every
   * window of the input (its own window never closes, so it is never written).
   */
  @Test
  public void recordsArrivingWhileTheJobRunsAreCountedInTheirWindows() throws Exception {
    String input = "live-in";
    String output = "live-out";
    broker.createTopic(input, WindowedCountPipeline.PARTITIONS);
    broker.createTopic(output, 1);
    broker.produce(WindowedCountPipeline.input(input, START, 0, RECORDS / 2));

    Pipeline pipeline = WindowedCountPipeline.create();
    WindowedCountPipeline.apply(
        pipeline,
        WindowedCountPipeline.read(broker.bootstrapServers(), input)
            .withTimestampPolicyFactory(new CreateTimeWatermark()),
        broker.bootstrapServers(),
        output);
    PipelineResult result = pipeline.run();
    try {
      List<String> firstWindow =
          WindowedCountPipeline.expectedOutput(START, 0, WindowedCountPipeline.RECORDS_PER_WINDOW);
      assertEquals(
          firstWindow, sortedValues(broker.readTopic(output, firstWindow.size(), OUTPUT_WAIT)));
      broker.produce(WindowedCountPipeline.input(input, START, RECORDS / 2, RECORDS));
      Instant afterInput = START.plus(Duration.standardHours(1));
      List<ProducerRecord<String, String>> closing = new ArrayList<>();
      for (int partition = 0; partition < WindowedCountPipeline.PARTITIONS; partition++) {
        closing.add(
            new ProducerRecord<>(input, partition, afterInput.getMillis(), "closing", "closing"));
      }
      broker.produce(closing);
      assertWritesExactly(output, result);
    } finally {
      assertEquals(PipelineResult.State.CANCELLED, result.cancel());
    }
  }

  /**
   * All of the input is in the topic before the job starts: with KafkaIO's CreateTime policy a
   * partition's watermark moves to the wall clock once the reader finds it caught up, so records
   * that came later with these old timestamps would be late.
   */
  private void runUnboundedUntilComplete(String name, Pipeline pipeline) throws Exception {
    String input = name + "-in";
    String output = name + "-out";
    broker.createTopic(input, WindowedCountPipeline.PARTITIONS);
    broker.createTopic(output, 1);
    broker.produce(WindowedCountPipeline.input(input, START, 0, RECORDS));

    WindowedCountPipeline.apply(
        pipeline,
        WindowedCountPipeline.read(broker.bootstrapServers(), input),
        broker.bootstrapServers(),
        output);
    PipelineResult result = pipeline.run();
    try {
      assertWritesExactly(output, result);
    } finally {
      assertEquals(PipelineResult.State.CANCELLED, result.cancel());
    }
  }

  private static void assertWritesExactly(String output, PipelineResult result) {
    List<String> expected = WindowedCountPipeline.expectedOutput(START, 0, RECORDS);
    List<String> written = sortedValues(broker.readTopic(output, expected.size(), OUTPUT_WAIT));
    assertEquals(expected, written);
    assertEquals("an unbounded job runs until cancelled", null, terminalState(result));
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
