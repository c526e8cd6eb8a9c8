package dev.weir.benchmarks;

import dev.weir.portability.WeirJobServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * What the portable path costs (issue 16, item 4): the bounded GroupByKey pipeline ({@link
 * GroupByKeySumPipeline}) submitted over Beam's Job API to a Weir job server in this JVM, its
 * DoFns running in an EMBEDDED Java SDK harness inside Weir's workers over the Fn API, against the
 * same pipeline with {@code --runner=WeirRunner} (the classic path, no harness), alternating run
 * by run so load on the machine hits both alike. Both runs check the sums from their counters.
 *
 * <pre>{@code
 * mvn -B -o -q -pl benchmarks -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx6g -cp benchmarks/target/classes:$(cat /tmp/cp.txt) \
 *   dev.weir.benchmarks.PortableCostBenchmark --elements=1000000 --keys=100000 --rounds=3
 * }</pre>
 *
 * <p>{@code --rounds} (default 3): timed runs of each path, after {@code --warmupRuns} (default 1)
 * of each with {@code --warmupElements}. Other options pass through to both paths. Exits with
 * status 1 if a run fails or computes a wrong sum.
 */
public final class PortableCostBenchmark {
  private static final String CLASSIC = "WeirRunner";
  private static final String PORTABLE = "job server, EMBEDDED harness";

  private PortableCostBenchmark() {}

  public static void main(String[] argv) throws Exception {
    PipelineOptionsFactory.register(BenchmarkOptions.class);
    List<String> passed = new ArrayList<>(List.of(argv));
    int rounds = AlternatingRounds.takeRounds(passed, 3);
    RunnerOptions classic = new RunnerOptions(passed.toArray(new String[0]));
    List<String> portableArgs = new ArrayList<>(passed);
    portableArgs.add("--defaultEnvironmentType=EMBEDDED");
    RunnerOptions portable = new RunnerOptions(portableArgs.toArray(new String[0]));
    BenchmarkOptions options = classic.forRunner(CLASSIC);
    try (WeirJobServer server = WeirJobServer.start(Map.of("port", "0"));
        PortableSubmission submission = new PortableSubmission(server.port())) {
      GroupByKeySumPipeline timed =
          new GroupByKeySumPipeline(options.getElements(), options.getKeys());
      GroupByKeySumPipeline warmup =
          new GroupByKeySumPipeline(options.getWarmupElements(), options.getKeys());
      for (int i = 0; i < options.getWarmupRuns(); i++) {
        PipelineTimer.time(() -> warmup.create(classic.forRunner(CLASSIC)), warmup::verify);
        timePortable(submission, warmup, portable);
      }
      AlternatingRounds timedRounds =
          new AlternatingRounds(
              new AlternatingRounds.Variant(
                  CLASSIC,
                  () ->
                      PipelineTimer.time(
                          () -> timed.create(classic.forRunner(CLASSIC)), timed::verify)),
              new AlternatingRounds.Variant(
                  PORTABLE, () -> timePortable(submission, timed, portable)));
      timedRounds.run(rounds, timed.elements());
      System.out.printf(
          "%nGroupByKey, %,d elements, %,d keys, %d rounds alternating:%n",
          timed.elements(), options.getKeys(), rounds);
      timedRounds.printSummary("Portable time / classic time");
    } catch (RuntimeException e) {
      System.err.println("BENCHMARK FAILED: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  /** Submits through the job server, checks the sums from the job's metrics, returns wall nanos. */
  private static long timePortable(
      PortableSubmission submission, GroupByKeySumPipeline pipeline, RunnerOptions portable) {
    // The submitter needs some runner to make a Pipeline; the job server ignores it.
    Pipeline p = pipeline.create(portable.forRunner(CLASSIC));
    System.gc();
    long start = System.nanoTime();
    String jobId = submission.runToCompletion(p, "portable-cost");
    long elapsed = System.nanoTime() - start;
    Map<String, Long> counters =
        submission.userCounters(jobId, GroupByKeySumPipeline.NAMESPACE);
    pipeline.verify(counters::get);
    return elapsed;
  }
}
