package dev.weir.runner.cluster;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Paths;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * A coordinator and two workers as separate JVMs on loopback, started from this test's classpath
 * (which holds the pipelines' classes; {@link StagedJobsTest} runs jobs whose classes it lacks).
 */
public class ClusterOfProcessesTest {
  /** A job that never ends fails the test instead of hanging the build. */
  @org.junit.Rule
  public org.junit.rules.Timeout timeout = org.junit.rules.Timeout.seconds(300);

  private static LocalProcessCluster cluster;

  @BeforeClass
  public static void startCluster() throws Exception {
    cluster = LocalProcessCluster.withCoordinatorProcess(Paths.get("target/cluster-processes"));
    try {
      cluster.startWorker("worker-a");
      cluster.startWorker("worker-b");
    } catch (Exception e) {
      stopCluster();
      throw e;
    }
  }

  @AfterClass
  public static void stopCluster() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  private static Pipeline pipeline() {
    return Pipeline.create(
        PipelineOptionsFactory.fromArgs(
                "--runner=TestWeirRunner",
                "--weirMaster=" + cluster.master(),
                cluster.securityArgument())
            .create());
  }

  private static class CountingFn extends DoFn<Long, Long> {
    private final Counter seen = Metrics.counter(ClusterOfProcessesTest.class, "seen");

    @ProcessElement
    public void process(@Element Long n, OutputReceiver<Long> out) {
      seen.inc();
      out.output(n);
    }
  }

  @Test
  public void multiStagePipelineRunsOnTwoWorkerProcessesAndReportsMetrics() {
    Pipeline p = pipeline();
    PCollection<KV<Long, Long>> sums =
        p.apply(GenerateSequence.from(0).to(10_000))
            .apply(ParDo.of(new CountingFn()))
            .apply(
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
                    .via(n -> KV.of(n % 100, 1L)))
            .apply(Sum.longsPerKey());
    PAssert.that(sums.apply(Count.globally())).containsInAnyOrder(100L);
    PAssert.that(sums.apply(Values.create()).apply(Sum.longsGlobally()))
        .containsInAnyOrder(10_000L);

    PipelineResult result = p.run();

    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(ClusterOfProcessesTest.class, "seen"))
                    .build());
    long attempted = 0;
    for (MetricResult<Long> counter : metrics.getCounters()) {
      attempted += counter.getAttempted();
    }
    assertEquals(10_000L, attempted);
  }

  @Test
  public void userExceptionInAWorkerProcessReachesTheClientAsTheCause() {
    Pipeline p = pipeline();
    p.apply(GenerateSequence.from(0).to(100))
        .apply(
            MapElements.into(TypeDescriptors.longs())
                .via(
                    n -> {
                      if (n == 42) {
                        throw new IllegalStateException("element 42 is cursed");
                      }
                      return n;
                    }));

    Pipeline.PipelineExecutionException thrown =
        assertThrows(Pipeline.PipelineExecutionException.class, p::run);

    boolean found = false;
    for (Throwable t = thrown; t != null && !found; t = t.getCause()) {
      found = String.valueOf(t.getMessage()).contains("element 42 is cursed");
    }
    assertTrue("cause chain lacks the user's message: " + thrown, found);
  }
}
