package dev.weir.benchmarks.latency;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Runs an unbounded pipeline on WeirRunner's embedded cluster: a source emitting {@code --rate}
 * events a second, each stamped with the wall-clock time it was created, keyed by user id ({@code
 * --users} users), counted per user in keyed state, into a sink that records each event's
 * latency. After {@code --warmupSeconds} it records for {@code --seconds}, cancels the job and
 * prints count, p50, p99 and max. With {@code --sweepRates=a,b,c} it runs each rate in turn and
 * reports the highest with p99 under one second.
 */
public final class StreamingLatencyBenchmark {
  private StreamingLatencyBenchmark() {}

  /** Options of the latency benchmark; Weir's options pass through. */
  public interface Options extends PipelineOptions {
    @Description("Events per second from the source.")
    @Default.Integer(50_000)
    int getRate();

    void setRate(int rate);

    @Description("Distinct user ids (keys).")
    @Default.Integer(100_000)
    int getUsers();

    void setUsers(int users);

    @Description("Seconds of measurement.")
    @Default.Integer(60)
    int getSeconds();

    void setSeconds(int seconds);

    @Description("Seconds to run before measuring.")
    @Default.Integer(10)
    int getWarmupSeconds();

    void setWarmupSeconds(int seconds);

    @Description("Comma-separated rates to try one after the other; empty: only --rate.")
    @Default.String("")
    String getSweepRates();

    void setSweepRates(String rates);
  }

  /** {@code args}, with Weir and its RocksDB backend unless they name a runner or backend. */
  static String[] withWeirDefaults(String[] args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (all.stream().noneMatch(a -> a.startsWith("--runner="))) {
      all.add("--runner=WeirRunner");
    }
    if (all.stream().noneMatch(a -> a.startsWith("--stateBackend="))) {
      all.add("--stateBackend=rocksdb");
    }
    return all.toArray(new String[0]);
  }

  public static void main(String[] args) throws Exception {
    String[] all = withWeirDefaults(args);
    Options options =
        PipelineOptionsFactory.fromArgs(all).withValidation().as(Options.class);
    List<Integer> rates = new ArrayList<>();
    if (options.getSweepRates().isEmpty()) {
      rates.add(options.getRate());
    } else {
      for (String r : options.getSweepRates().split(",")) {
        rates.add(Integer.parseInt(r.trim()));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "Unbounded source -> key by user (%,d users) -> count per user in state -> latency sink;"
            + " %d s warm-up, %d s measured; %d cores%n",
        options.getUsers(),
        options.getWarmupSeconds(),
        options.getSeconds(),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        Locale.ROOT, "%12s %12s %12s %8s %8s %8s%n", "rate/s", "events", "achieved/s", "p50 ms",
        "p99 ms", "max ms");
    int best = -1;
    for (int rate : rates) {
      LatencyRecorder.Summary s = runOnce(options, rate);
      System.out.printf(
          Locale.ROOT,
          "%,12d %,12d %,12d %8d %8d %8d%n",
          rate,
          s.count,
          s.count / Math.max(1, options.getSeconds()),
          s.p50,
          s.p99,
          s.max);
      if (s.p99 >= 0 && s.p99 < 1000 && s.count >= (long) rate * options.getSeconds() * 9 / 10) {
        best = Math.max(best, rate);
      }
    }
    if (rates.size() > 1) {
      System.out.println(
          best < 0
              ? "No rate tried kept p99 under 1 s."
              : String.format(Locale.ROOT, "Highest rate with p99 under 1 s: %,d events/s", best));
    }
    System.exit(0);
  }

  /**
   * The measured pipeline: {@code rate} events a second from the source, or as many as the job
   * takes if {@code rate} is 0 or less, over {@code users} keys.
   */
  static Pipeline pipeline(PipelineOptions options, int rate, int users) {
    Pipeline p = Pipeline.create(options);
    GenerateSequence source = GenerateSequence.from(0).withTimestampFn(i -> Instant.now());
    if (rate > 0) {
      source = source.withRate(rate, Duration.standardSeconds(1));
    }
    p.apply(source)
        .apply(
            "KeyByUser",
            MapElements.into(TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
                .via((Long i) -> KV.of(i % users, i)))
        .apply("CountPerUser", ParDo.of(new CountPerUserFn()))
        .apply("RecordLatency", ParDo.of(new RecordLatencyFn()));
    return p;
  }

  private static LatencyRecorder.Summary runOnce(Options options, int rate) throws Exception {
    PipelineResult result = pipeline(options, rate, options.getUsers()).run();
    Thread.sleep(options.getWarmupSeconds() * 1000L);
    LatencyRecorder.start();
    Thread.sleep(options.getSeconds() * 1000L);
    LatencyRecorder.stop();
    result.cancel();
    return LatencyRecorder.summary();
  }
}
