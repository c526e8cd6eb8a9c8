package dev.weir.kafka;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * What {@code commitOffsetsInFinalize()} means on Weir without checkpoints. Weir then finalizes an
 * unbounded reader's checkpoint marks after every bundle of the read (about every 5 ms), and
 * KafkaIO commits a finalized mark's offsets to the consumer group: so the group's offsets pass a
 * record as soon as the record has left the read, long before the window it belongs to fires and
 * its count is written. A job started again with the same group then resumes after those offsets,
 * and the records whose windows had not fired are lost.
 *
 * <p>This pins that gap so that it cannot change unnoticed. With checkpoints a mark is finalized
 * only when a completed checkpoint holds it (and the windows' state with it): {@link
 * KafkaReaderPositionOnWeirTest} shows that for the read operator.
 */
public class KafkaOffsetCommitOnWeirTest {
  private static final int FIRST_RUN_RECORDS = 300;
  private static final int SECOND_RUN_RECORDS = 120;
  private static final long WAIT_SECONDS = 60;

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
  public void offsetsAreCommittedBeforeTheWindowsFireSoARestartSkipsTheirRecords()
      throws Exception {
    String input = "commit-in";
    String output = "commit-out";
    String group = "weir-commit-test";
    broker.createTopic(input, WindowedCountPipeline.PARTITIONS);
    broker.createTopic(output, 1);
    // A day ahead of the wall clock: KafkaIO's CreateTime watermark stops at the wall clock, so
    // in the unbounded first run no window of this input can fire.
    Instant start = new Instant((Instant.now().getMillis() / 1000 + 86_400) * 1000);
    broker.produce(WindowedCountPipeline.input(input, start, 0, FIRST_RUN_RECORDS));

    Pipeline first = WindowedCountPipeline.create();
    WindowedCountPipeline.apply(
        first, committingRead(input, group), broker.bootstrapServers(), output);
    PipelineResult firstRun = first.run();
    Map<TopicPartition, Long> endOfInput =
        broker.endOffsets(input, WindowedCountPipeline.PARTITIONS);
    try {
      waitUntilCommitted(group, endOfInput);
      // Every input record is committed as consumed, and not one count has been written.
      assertEquals(Map.of(new TopicPartition(output, 0), 0L), broker.endOffsets(output, 1));
    } finally {
      assertEquals(PipelineResult.State.CANCELLED, firstRun.cancel());
    }

    // The restart: the same group, more input, and (to end by itself) at most that many records.
    broker.produce(
        WindowedCountPipeline.input(
            input, start, FIRST_RUN_RECORDS, FIRST_RUN_RECORDS + SECOND_RUN_RECORDS));
    Pipeline second = WindowedCountPipeline.create();
    WindowedCountPipeline.apply(
        second,
        committingRead(input, group).withMaxNumRecords(SECOND_RUN_RECORDS),
        broker.bootstrapServers(),
        output);
    assertEquals(
        PipelineResult.State.DONE, second.run().waitUntilFinish(Duration.standardSeconds(120)));

    // Only the new records are counted: the first run's records are behind the committed
    // offsets, and their counts were never written.
    List<String> expected =
        WindowedCountPipeline.expectedOutput(
            start, FIRST_RUN_RECORDS, FIRST_RUN_RECORDS + SECOND_RUN_RECORDS);
    List<String> written = new ArrayList<>();
    for (ConsumerRecord<String, String> record :
        broker.readTopic(output, expected.size(), java.time.Duration.ofSeconds(WAIT_SECONDS))) {
      written.add(record.value());
    }
    Collections.sort(written);
    assertEquals(expected, written);
  }

  private static KafkaIO.Read<String, String> committingRead(String topic, String group) {
    return WindowedCountPipeline.read(broker.bootstrapServers(), topic)
        .withConsumerConfigUpdates(Map.of("auto.offset.reset", "earliest", "group.id", group))
        .commitOffsetsInFinalize();
  }

  private static void waitUntilCommitted(String group, Map<TopicPartition, Long> offsets)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    Map<TopicPartition, Long> committed = broker.committedOffsets(group);
    while (!committed.equals(offsets) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      committed = broker.committedOffsets(group);
    }
    assertEquals("offsets committed by group " + group, offsets, committed);
  }
}
