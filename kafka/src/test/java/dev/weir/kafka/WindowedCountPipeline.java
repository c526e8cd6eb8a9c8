package dev.weir.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The pipeline the Kafka tests run on Weir, Kafka to windowed count to Kafka, with the input that
 * feeds it and the output it must give. Each input record is stamped (Kafka CreateTime) with an
 * event time; the read takes that time as the element's timestamp, so the counts are per event-time
 * window whatever order the partitions are read in.
 */
final class WindowedCountPipeline {
  static final Duration WINDOW = Duration.standardSeconds(10);
  static final int PARTITIONS = 2;
  private static final int KEYS = 3;
  private static final long SPACING_MILLIS = 50;
  /** From a window-aligned start, records 0 to 199 fall in the first window, 200 to 399 next. */
  static final int RECORDS_PER_WINDOW = (int) (WINDOW.getMillis() / SPACING_MILLIS);

  private WindowedCountPipeline() {}

  /**
   * Records {@code from} to {@code to - 1} of the test input: record i has key {@code k(i % 3)},
   * goes to partition {@code i % 2} (so every partition has records: KafkaIO holds a partition's
   * watermark at the minimum until it has read one) and is stamped {@code start + 50 ms * i}.
   */
  static List<ProducerRecord<String, String>> input(String topic, Instant start, int from, int to) {
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (int i = from; i < to; i++) {
      records.add(
          new ProducerRecord<>(
              topic, i % PARTITIONS, timestamp(start, i), key(i), "record-" + i));
    }
    return records;
  }

  /**
   * What the pipeline writes for records {@code from} to {@code to - 1} of {@link #input}: one
   * line per key and window, {@code key window-start count}, sorted.
   */
  static List<String> expectedOutput(Instant start, int from, int to) {
    Map<String, Long> counts = new TreeMap<>();
    for (int i = from; i < to; i++) {
      long t = timestamp(start, i);
      Instant windowStart = new Instant(t - Math.floorMod(t, WINDOW.getMillis()));
      counts.merge(key(i) + " " + windowStart, 1L, Long::sum);
    }
    List<String> lines = new ArrayList<>();
    counts.forEach((keyAndWindow, n) -> lines.add(keyAndWindow + " " + n));
    return lines;
  }

  /** A pipeline on Weir's embedded cluster, with Weir's options in {@code args}. */
  static Pipeline create(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "--runner=WeirRunner";
    System.arraycopy(args, 0, all, 1, args.length);
    return Pipeline.create(PipelineOptionsFactory.fromArgs(all).create());
  }

  /**
   * The read the tests start from: string keys and values, event time from CreateTime with no
   * allowed delay (a partition's watermark is the newest timestamp it read, and moves on to the
   * wall clock once the partition is caught up), from the earliest offset, since the records are
   * in the topic before the job starts.
   */
  static KafkaIO.Read<String, String> read(String bootstrapServers, String topic) {
    return KafkaIO.<String, String>read()
        .withBootstrapServers(bootstrapServers)
        .withTopic(topic)
        .withKeyDeserializer(StringDeserializer.class)
        .withValueDeserializer(StringDeserializer.class)
        .withTimestampPolicyFactory(TimestampPolicyFactory.withCreateTime(Duration.ZERO))
        .withConsumerConfigUpdates(Map.of("auto.offset.reset", "earliest"));
  }

  /** Applies window, count per key, format and the write to {@code outputTopic}. */
  static void apply(
      Pipeline pipeline,
      KafkaIO.Read<String, String> read,
      String bootstrapServers,
      String outputTopic) {
    pipeline
        .apply("Read", read.withoutMetadata())
        .apply(Window.into(FixedWindows.of(WINDOW)))
        .apply(Count.perKey())
        .apply(ParDo.of(new FormatCount()))
        .apply(
            "Write",
            KafkaIO.<String, String>write()
                .withBootstrapServers(bootstrapServers)
                .withTopic(outputTopic)
                .withKeySerializer(StringSerializer.class)
                .withValueSerializer(StringSerializer.class));
  }

  private static long timestamp(Instant start, int i) {
    return start.getMillis() + SPACING_MILLIS * i;
  }

  private static String key(int i) {
    return "k" + (i % KEYS);
  }

  /** {@code (key, n)} in window w becomes {@code (key, "key w.start n")}. */
  private static final class FormatCount extends DoFn<KV<String, Long>, KV<String, String>> {
    @ProcessElement
    public void process(
        @Element KV<String, Long> count,
        IntervalWindow window,
        OutputReceiver<KV<String, String>> out) {
      out.output(
          KV.of(count.getKey(), count.getKey() + " " + window.start() + " " + count.getValue()));
    }
  }
}
