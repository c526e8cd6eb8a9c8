package dev.weir.runner.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.weir.runner.FractionDoneCheck;
import dev.weir.runner.RunningJobMetrics;
import dev.weir.runner.WeirPipelineResult;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsOptions;
import org.apache.beam.sdk.metrics.MetricsSink;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.joda.time.Duration;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

/**
 * What the workers' periodic progress reports give a job on a cluster of processes: its metrics
 * while it runs, and the no-progress check.
 */
public class LiveProgressOnProcessesTest {
  @Rule public Timeout timeout = Timeout.seconds(300);
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static LocalProcessCluster cluster;

  @BeforeClass
  public static void startCluster() throws Exception {
    cluster = LocalProcessCluster.withCoordinatorProcess(Paths.get("target/live-progress"));
    try {
      // Reports every 200 ms rather than 3 s: the no-progress test's timeout is short.
      cluster.startWorker("worker-a", "--progressReportMillis=200");
      cluster.startWorker("worker-b", "--progressReportMillis=200");
      // Warm: the workers have loaded Beam's and Weir's classes, so the short no-progress timeout
      // below measures a stuck job, not a cold JVM's first start.
      Pipeline warmUp = pipeline();
      warmUp.apply(Create.of(1, 2, 3)).apply(Count.globally());
      assertEquals(PipelineResult.State.DONE, warmUp.run().waitUntilFinish());
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

  private static Pipeline pipeline(String... more) {
    String[] args = new String[3 + more.length];
    args[0] = "--runner=WeirRunner";
    args[1] = "--weirMaster=" + cluster.master();
    args[2] = cluster.securityArgument();
    System.arraycopy(more, 0, args, 3, more.length);
    return Pipeline.create(PipelineOptionsFactory.fromArgs(args).create());
  }

  /** Counts every element it sees. */
  static class CountingFn extends DoFn<Long, Long> {
    private final Counter seen = Metrics.counter(LiveProgressOnProcessesTest.class, "seen");

    @ProcessElement
    public void process(@Element Long n, OutputReceiver<Long> out) {
      seen.inc();
      out.output(n);
    }
  }

  @Test
  public void aRunningStreamingJobsCounterIsVisibleAndGrowsThroughTheResult() throws Exception {
    Pipeline p = pipeline();
    p.apply(GenerateSequence.from(0).withRate(200, Duration.standardSeconds(1)))
        .apply(ParDo.of(new CountingFn()));
    PipelineResult result = p.run();
    try {
      String namespace = LiveProgressOnProcessesTest.class.getName();
      long first = RunningJobMetrics.awaitWhileRunning(result, namespace, "seen", 1);
      long later = RunningJobMetrics.awaitWhileRunning(result, namespace, "seen", first + 100);
      assertThat(later, greaterThan(first));
    } finally {
      result.cancel();
      assertEquals(PipelineResult.State.CANCELLED, result.waitUntilFinish(Duration.standardMinutes(2)));
    }
  }

  /** Never returns from its first element: the job can make no more progress. */
  static class StuckFn extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer element) throws InterruptedException {
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  @Test
  public void aStuckJobFailsWithTheNoProgressMessageNamingTheStage() {
    Pipeline p = pipeline("--noProgressTimeoutSeconds=10");
    p.apply(Create.of(1, 2, 3)).apply("NeverReturns", ParDo.of(new StuckFn())).apply(Count.globally());
    PipelineResult result = p.run();
    Pipeline.PipelineExecutionException e =
        assertThrows(
            Pipeline.PipelineExecutionException.class,
            () -> {
              // Bounded: without the check on this cluster the job would wait forever.
              PipelineResult.State state = result.waitUntilFinish(Duration.standardMinutes(2));
              throw new AssertionError("the stuck job did not fail; its state: " + state);
            });
    assertThat(e.getCause().getMessage(), containsString("made no progress"));
    assertThat(e.getCause().getMessage(), containsString("NeverReturns"));
    assertEquals(PipelineResult.State.FAILED, result.getState());
  }

  @Test
  public void aLongBoundedJobShowsItsSourcesElementsReadGrowingUntilItEnds() throws Exception {
    Pipeline p = pipeline();
    // Bounded, and at 400 elements a second it takes at least 10 s.
    p.apply(
            "Numbers",
            GenerateSequence.from(0).to(4_000).withRate(400, Duration.standardSeconds(1)))
        .apply(ParDo.of(new CountingFn()));
    WeirPipelineResult result = (WeirPipelineResult) p.run();

    long first = RunningJobMetrics.awaitReadWhileRunning(result, 1);
    long later = RunningJobMetrics.awaitReadWhileRunning(result, first + 1);
    assertThat(later, greaterThan(first));
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    assertEquals(4_000L, result.progress().elementsRead());
  }

  @Test
  public void aBoundedSourcesFractionDoneReachesTheResultFromWorkerProcessesAndEndsAtOne()
      throws Exception {
    // The workers' processes and this JVM share the file system, which the gate is made of.
    FractionDoneCheck.runAndCheck(
        pipeline("--progressLogSeconds=1"),
        tmp.newFolder("gate").toPath(),
        Paths.get("target/live-progress/coordinator.log"));
  }

  /** Keeps what each push brings of counter "seen"; a sink in this client's JVM. */
  public static class RecordingSink implements MetricsSink {
    static final List<Long> PUSHED = new CopyOnWriteArrayList<>();

    public RecordingSink(MetricsOptions options) {}

    @Override
    public void writeMetrics(MetricQueryResults metrics) {
      long seen = 0;
      boolean found = false;
      for (MetricResult<Long> counter : metrics.getCounters()) {
        if (counter.getName().getName().equals("seen")) {
          seen += counter.getAttempted();
          found = true;
        }
      }
      if (found) {
        PUSHED.add(seen);
      }
    }
  }

  @Test
  public void aMetricsSinkGetsARemoteJobsMetricsPushedFromTheClientUpToTheFinalValues()
      throws Exception {
    RecordingSink.PUSHED.clear();
    // --metricsSink and --metricsPushPeriod are Beam's MetricsOptions.
    PipelineOptionsFactory.register(MetricsOptions.class);
    Pipeline p =
        pipeline("--metricsSink=" + RecordingSink.class.getName(), "--metricsPushPeriod=1");
    p.apply(GenerateSequence.from(0).to(1_000)).apply(ParDo.of(new CountingFn()));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    // The push after the end carries the final values; pushes before it may carry less.
    while (RecordingSink.PUSHED.isEmpty()
        || RecordingSink.PUSHED.get(RecordingSink.PUSHED.size() - 1) != 1_000L) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the sink got " + RecordingSink.PUSHED + ", never 1000 at last");
      }
      Thread.sleep(50);
    }
    for (long pushed : RecordingSink.PUSHED) {
      assertThat(pushed, lessThanOrEqualTo(1_000L));
    }
  }
}
