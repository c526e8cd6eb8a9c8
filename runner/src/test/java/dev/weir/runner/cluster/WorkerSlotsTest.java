package dev.weir.runner.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.nio.file.Paths;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** Workers' {@code --slots} reach the coordinator and bound what a job may ask of the cluster. */
public class WorkerSlotsTest {
  @Rule public Timeout timeout = Timeout.seconds(300);

  private static LocalProcessCluster cluster;

  @BeforeClass
  public static void startCluster() throws Exception {
    cluster = LocalProcessCluster.withCoordinatorInThisJvm(Paths.get("target/worker-slots"));
    try {
      cluster.startWorker("worker-a", "--slots=1");
      cluster.startWorker("worker-b", "--slots=2");
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

  private static Pipeline pipeline(int parallelism) {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=TestWeirRunner",
                    "--weirMaster=" + cluster.master(),
                    cluster.securityArgument(),
                    "--parallelism=" + parallelism)
                .create());
    PCollection<Long> count = p.apply(GenerateSequence.from(0).to(1_000)).apply(Count.globally());
    PAssert.thatSingleton(count).isEqualTo(1_000L);
    return p;
  }

  /** Counts its instances: each subtask of its stage sets up one. */
  static class CountsSetups extends DoFn<Integer, Integer> {
    private final Counter setups = Metrics.counter(WorkerSlotsTest.class, "setups");

    @Setup
    public void setup() {
      setups.inc();
    }

    @ProcessElement
    public void process(@Element Integer n, OutputReceiver<Integer> out) {
      out.output(n);
    }
  }

  @Test
  public void withTheDefaultParallelismAJobHasASubtaskInEverySlotOfTheRegisteredWorkers() {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--weirMaster=" + cluster.master(),
                    cluster.securityArgument())
                .create());
    p.apply(Create.of(1, 2, 3, 4, 5, 6))
        .apply(Reshuffle.viaRandomKey())
        .apply("CountsSetups", ParDo.of(new CountsSetups()));
    PipelineResult result = p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    long setups = 0;
    for (MetricResult<Long> counter :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(WorkerSlotsTest.class, "setups"))
                    .build())
            .getCounters()) {
      setups += counter.getAttempted();
    }
    // worker-a has 1 slot, worker-b 2: the embedded cluster's default (2) would leave one idle.
    assertEquals(3, setups);
  }

  @Test
  public void aJobThatFitsTheWorkersSlotsRuns() {
    assertEquals(PipelineResult.State.DONE, pipeline(3).run().waitUntilFinish());
  }

  @Test
  public void aJobNeedingMoreSlotsThanTheClusterHasIsRefusedAtSubmissionSayingWhy() {
    Pipeline p = pipeline(4);
    // Jobs of other tests of this class stay known for the retention.
    int knownBefore = cluster.coordinatorInThisJvm().knownJobs();
    IllegalStateException refused = assertThrows(IllegalStateException.class, p::run);
    assertThat(refused.getMessage(), containsString("did not accept the job"));
    assertThat(refused.getMessage(), containsString("needs 4 slots"));
    assertThat(refused.getMessage(), containsString("have 3 in all (worker-a: 1, worker-b: 2)"));
    assertEquals(knownBefore, cluster.coordinatorInThisJvm().knownJobs());
  }
}
