package dev.weir.benchmarks;

import dev.weir.worker.security.ClusterSecurity;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Impulse;

/**
 * What security costs the embedded cluster: the bounded GroupByKey pipeline ({@link
 * GroupByKeySumPipeline}) on Weir with security on (the default: mutual TLS and the cluster secret
 * on the data exchange, credentials made at job start) and with {@code --insecure}, alternating run
 * by run in one JVM so load on the machine hits both alike; then an empty pipeline the same way,
 * which is the added start-up time, and the time to make the credentials alone.
 *
 * <pre>{@code
 * MAVEN_OPTS=-Xmx8g mvn -q -pl benchmarks exec:java \
 *   -Dexec.mainClass=dev.weir.benchmarks.TlsCostBenchmark \
 *   -Dexec.args="--elements=1000000 --keys=100000 --rounds=4"
 * }</pre>
 *
 * <p>{@code --rounds} (default 4): timed runs of each variant, after {@code --warmupRuns} (default
 * 1) of each with {@code --warmupElements}; {@code --emptyRuns} (default 20) empty pipelines of
 * each. Other options pass through to every run. Exits with status 1 if a run fails or computes a
 * wrong sum.
 */
public final class TlsCostBenchmark {
  private static final String TLS = "TLS (default)";
  private static final String INSECURE = "--insecure";

  private TlsCostBenchmark() {}

  public static void main(String[] argv) {
    PipelineOptionsFactory.register(BenchmarkOptions.class);
    List<String> passed = new ArrayList<>(List.of(argv));
    int rounds = AlternatingRounds.takeRounds(passed, 4);
    passed.add("--runner=WeirRunner");
    List<String> insecureArgs = new ArrayList<>(passed);
    insecureArgs.add("--insecure");
    RunnerOptions tls = new RunnerOptions(passed.toArray(new String[0]));
    RunnerOptions insecure = new RunnerOptions(insecureArgs.toArray(new String[0]));
    BenchmarkOptions options = tls.forRunner("WeirRunner");
    try {
      GroupByKeySumPipeline timed =
          new GroupByKeySumPipeline(options.getElements(), options.getKeys());
      GroupByKeySumPipeline warmup =
          new GroupByKeySumPipeline(options.getWarmupElements(), options.getKeys());
      for (int i = 0; i < options.getWarmupRuns(); i++) {
        for (RunnerOptions variant : List.of(tls, insecure)) {
          PipelineTimer.time(() -> warmup.create(variant.forRunner("WeirRunner")), warmup::verify);
        }
      }
      AlternatingRounds timedRounds =
          new AlternatingRounds(
              new AlternatingRounds.Variant(
                  INSECURE,
                  () ->
                      PipelineTimer.time(
                          () -> timed.create(insecure.forRunner("WeirRunner")), timed::verify)),
              new AlternatingRounds.Variant(
                  TLS,
                  () ->
                      PipelineTimer.time(
                          () -> timed.create(tls.forRunner("WeirRunner")), timed::verify)));
      timedRounds.run(rounds, timed.elements());
      Timings tlsEmpty = new Timings();
      Timings insecureEmpty = new Timings();
      int emptyRuns = options.getEmptyRuns();
      for (int i = 0; i < 3 + emptyRuns; i++) {
        long a = PipelineTimer.time(() -> empty(tls.forRunner("WeirRunner")), r -> {});
        long b = PipelineTimer.time(() -> empty(insecure.forRunner("WeirRunner")), r -> {});
        if (i >= 3) {
          tlsEmpty.add(a);
          insecureEmpty.add(b);
        }
      }
      System.out.printf(
          "%nGroupByKey, %,d elements, %,d keys, %d rounds alternating:%n",
          timed.elements(), options.getKeys(), rounds);
      timedRounds.printSummary("TLS time / insecure time");
      Timings generation = new Timings();
      for (int i = 0; i < 23; i++) {
        long start = System.nanoTime();
        ClusterSecurity.generated();
        if (i >= 3) {
          generation.add(System.nanoTime() - start);
        }
      }
      System.out.printf(
          "Making the embedded cluster's credentials and TLS contexts: median %.1f ms (best %.1f)"
              + " of 20%n",
          generation.medianNanos() / 1e6, generation.bestNanos() / 1e6);
      if (emptyRuns > 0) {
        System.out.printf(
            "Empty pipeline, median of %d: TLS %.1f ms, insecure %.1f ms (start-up added by"
                + " security: %.1f ms)%n",
            emptyRuns,
            tlsEmpty.medianNanos() / 1e6,
            insecureEmpty.medianNanos() / 1e6,
            (tlsEmpty.medianNanos() - insecureEmpty.medianNanos()) / 1e6);
      }
    } catch (RuntimeException e) {
      System.err.println("BENCHMARK FAILED: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static Pipeline empty(BenchmarkOptions options) {
    Pipeline p = Pipeline.create(options);
    p.apply("Impulse", Impulse.create());
    return p;
  }
}
