package dev.weir.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Impulse;

/**
 * Times the same bounded GroupByKey pipeline ({@link GroupByKeySumPipeline}) on each runner of
 * {@code --runners} (default: WeirRunner, then DirectRunner) in one JVM, checks every run's result,
 * and prints elements per second and the throughput ratio; then times an empty pipeline (Impulse
 * only) on each runner, which is the fixed cost of starting and ending a job.
 *
 * <pre>{@code
 * MAVEN_OPTS=-Xmx8g mvn -q -pl benchmarks exec:java -Dexec.args="--elements=10000000 --keys=100000 --runs=3"
 * }</pre>
 *
 * <p>See {@link BenchmarkOptions}. Exits with status 1 if any run fails or computes a wrong sum.
 */
public final class BoundedGroupByKeyBenchmark {
  private static final int EMPTY_WARMUP_RUNS = 3;

  private BoundedGroupByKeyBenchmark() {}

  public static void main(String[] args) {
    PipelineOptionsFactory.register(BenchmarkOptions.class);
    RunnerOptions runnerOptions = new RunnerOptions(args);
    BenchmarkOptions options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(BenchmarkOptions.class);
    List<String> runners = List.of(options.getRunners().split(","));
    try {
      Map<String, Timings> gbk = timeGroupByKey(options, runners, runnerOptions);
      Map<String, Timings> empty = timeEmptyPipeline(options, runners, runnerOptions);
      ResultTable.print(System.out, options, gbk, empty);
    } catch (RuntimeException e) {
      System.err.println("BENCHMARK FAILED: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static Map<String, Timings> timeGroupByKey(
      BenchmarkOptions options, List<String> runners, RunnerOptions runnerOptions) {
    GroupByKeySumPipeline timed = new GroupByKeySumPipeline(options.getElements(), options.getKeys());
    GroupByKeySumPipeline warmup =
        new GroupByKeySumPipeline(options.getWarmupElements(), options.getKeys());
    Map<String, Timings> byRunner = new LinkedHashMap<>();
    for (String runner : runners) {
      for (int i = 0; i < options.getWarmupRuns(); i++) {
        long nanos =
            PipelineTimer.time(() -> warmup.create(runnerOptions.forRunner(runner)), warmup::verify);
        progress("%s warm-up %d: %,d elements in %.2f s", runner, i + 1, warmup.elements(), nanos / 1e9);
      }
      Timings timings = new Timings();
      for (int i = 0; i < options.getRuns(); i++) {
        long nanos =
            PipelineTimer.time(() -> timed.create(runnerOptions.forRunner(runner)), timed::verify);
        timings.add(nanos);
        progress(
            "%s run %d: %,d elements in %.2f s = %,.0f elements/s (result checked)",
            runner, i + 1, timed.elements(), nanos / 1e9, Timings.perSecond(timed.elements(), nanos));
      }
      byRunner.put(runner, timings);
    }
    return byRunner;
  }

  private static Map<String, Timings> timeEmptyPipeline(
      BenchmarkOptions options, List<String> runners, RunnerOptions runnerOptions) {
    Map<String, Timings> byRunner = new LinkedHashMap<>();
    if (options.getEmptyRuns() < 1) {
      return byRunner;
    }
    for (String runner : runners) {
      Timings timings = new Timings();
      for (int i = 0; i < EMPTY_WARMUP_RUNS + options.getEmptyRuns(); i++) {
        long nanos = PipelineTimer.time(() -> emptyPipeline(runnerOptions.forRunner(runner)), r -> {});
        if (i >= EMPTY_WARMUP_RUNS) {
          timings.add(nanos);
        }
      }
      progress(
          "%s empty pipeline: median %.1f ms over %d runs", runner, timings.medianNanos() / 1e6, timings.count());
      byRunner.put(runner, timings);
    }
    return byRunner;
  }

  private static Pipeline emptyPipeline(BenchmarkOptions options) {
    Pipeline p = Pipeline.create(options);
    p.apply("Impulse", Impulse.create());
    return p;
  }

  private static void progress(String format, Object... args) {
    System.out.println("  " + String.format(format, args));
    System.out.flush();
  }
}
