package dev.weir.benchmarks;

import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Times a bounded GroupByKey in session windows over many keys, the shape of Nexmark's q11 (user
 * sessions) and of the merging-window queries that were several times slower on Weir than on the
 * Flink runner in batch: {@code GenerateSequence [0, elements)} → {@code KV(i % keys, i)} at event
 * time {@code i / keys} seconds, with an hour's pause after every {@value #VALUES_PER_SESSION}
 * rounds → {@code Sessions} of a minute → {@code GroupByKey} → a sink that counts sessions, values
 * and their sum into metrics, checked against the closed-form totals after every run.
 *
 * <pre>{@code
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/benchmarks.classpath) \
 *   dev.weir.benchmarks.BoundedSessionsBenchmark --elements=1000000 --keys=100000 --runs=3
 * }</pre>
 *
 * <p>Options as {@link BoundedGroupByKeyBenchmark}'s ({@link BenchmarkOptions}; the empty-pipeline
 * runs are not made). Exits with status 1 if any run fails or computes a wrong result.
 */
public final class BoundedSessionsBenchmark {
  static final String NAMESPACE = "weir-sessions-benchmark";
  static final int VALUES_PER_SESSION = 10;

  private BoundedSessionsBenchmark() {}

  public static void main(String[] args) {
    PipelineOptionsFactory.register(BenchmarkOptions.class);
    RunnerOptions runnerOptions = new RunnerOptions(args);
    BenchmarkOptions options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(BenchmarkOptions.class);
    try {
      for (String runner : List.of(options.getRunners().split(","))) {
        for (int i = 0; i < options.getWarmupRuns(); i++) {
          long elements = options.getWarmupElements();
          long nanos =
              PipelineTimer.time(
                  () -> create(runnerOptions.forRunner(runner), elements, options.getKeys()),
                  r -> verify(r, elements, options.getKeys()));
          System.out.printf("  %s warm-up %d: %.2f s%n", runner, i + 1, nanos / 1e9);
        }
        Timings timings = new Timings();
        for (int i = 0; i < options.getRuns(); i++) {
          long nanos =
              PipelineTimer.time(
                  () -> create(runnerOptions.forRunner(runner), options.getElements(), options.getKeys()),
                  r -> verify(r, options.getElements(), options.getKeys()));
          timings.add(nanos);
          System.out.printf(
              "  %s run %d: %,d elements in %.2f s = %,.0f elements/s (result checked)%n",
              runner,
              i + 1,
              options.getElements(),
              nanos / 1e9,
              Timings.perSecond(options.getElements(), nanos));
        }
        System.out.printf(
            "%s: median %,.0f elements/s over %d runs%n",
            runner,
            Timings.perSecond(options.getElements(), timings.medianNanos()),
            timings.count());
      }
    } catch (RuntimeException e) {
      System.err.println("BENCHMARK FAILED: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  static Pipeline create(BenchmarkOptions options, long elements, long keys) {
    Pipeline p = Pipeline.create(options);
    p.apply("Generate", GenerateSequence.from(0).to(elements))
        .apply("KeyAndTime", ParDo.of(new KeyAndTimeFn(keys)))
        .apply("Sessions", Window.<KV<Long, Long>>into(Sessions.withGapDuration(Duration.standardMinutes(1))))
        .apply("GroupByKey", GroupByKey.create())
        .apply("Tally", ParDo.of(new TallySessionsFn()));
    return p;
  }

  /** The element {@code i} of key {@code i % keys} in round {@code i / keys}, at its time. */
  static final class KeyAndTimeFn extends DoFn<Long, KV<Long, Long>> {
    private final long keys;

    KeyAndTimeFn(long keys) {
      this.keys = keys;
    }

    @ProcessElement
    public void processElement(@Element Long i, OutputReceiver<KV<Long, Long>> out) {
      long round = i / keys;
      long seconds = round + (round / VALUES_PER_SESSION) * 3_600;
      out.outputWithTimestamp(KV.of(i % keys, i), new Instant(seconds * 1_000));
    }

    @Override
    public Duration getAllowedTimestampSkew() {
      return Duration.millis(Long.MAX_VALUE);
    }
  }

  static final class TallySessionsFn extends DoFn<KV<Long, Iterable<Long>>, Void> {
    private final Counter sessions = Metrics.counter(NAMESPACE, "sessions");
    private final Counter values = Metrics.counter(NAMESPACE, "values");
    private final Counter sum = Metrics.counter(NAMESPACE, "sum");

    @ProcessElement
    public void processElement(@Element KV<Long, Iterable<Long>> session) {
      sessions.inc();
      for (long value : session.getValue()) {
        values.inc();
        sum.inc(value);
      }
    }
  }

  /** Throws unless the run saw every value, their sum, and each key's sessions. */
  static void verify(PipelineResult result, long elements, long keys) {
    long expectedSessions = 0;
    for (long key = 0; key < Math.min(keys, elements); key++) {
      long rounds = (elements - key + keys - 1) / keys;
      expectedSessions += (rounds + VALUES_PER_SESSION - 1) / VALUES_PER_SESSION;
    }
    check(result, "sessions", expectedSessions);
    check(result, "values", elements);
    check(result, "sum", elements * (elements - 1) / 2);
  }

  private static void check(PipelineResult result, String counter, long expected) {
    long actual = 0;
    boolean found = false;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(NAMESPACE, counter))
                    .build())
            .getCounters()) {
      actual += c.getAttempted();
      found = true;
    }
    if (!found || actual != expected) {
      throw new IllegalStateException(
          String.format(
              "WRONG RESULT: counter %s is %s, expected %d",
              counter, found ? Long.toString(actual) : "missing", expected));
    }
  }
}
