package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import dev.weir.worker.task.SourceMetrics;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

/** Metrics of a running job, on the embedded cluster, before any subtask has ended. */
public class LiveMetricsTest {
  @Rule public Timeout timeout = Timeout.seconds(300);
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  /** Counts every element it sees. */
  static class CountingFn extends DoFn<Long, Long> {
    private final Counter seen = Metrics.counter(LiveMetricsTest.class, "seen");

    @ProcessElement
    public void process(@Element Long n, OutputReceiver<Long> out) {
      seen.inc();
      out.output(n);
    }
  }

  @Test
  public void aRunningStreamingJobsCounterIsVisibleAndGrowsBeforeItEnds() throws Exception {
    Pipeline p =
        Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=WeirRunner").create());
    // Unbounded: no subtask ends until the job is cancelled, and no checkpoints are taken.
    p.apply(GenerateSequence.from(0).withRate(200, Duration.standardSeconds(1)))
        .apply(ParDo.of(new CountingFn()));
    PipelineResult result = p.run();
    try {
      String namespace = LiveMetricsTest.class.getName();
      long first = RunningJobMetrics.awaitWhileRunning(result, namespace, "seen", 1);
      long later = RunningJobMetrics.awaitWhileRunning(result, namespace, "seen", first + 100);
      assertThat(later, greaterThan(first));
    } finally {
      assertEquals(PipelineResult.State.CANCELLED, result.cancel());
    }
  }

  @Test
  public void aLongBoundedJobShowsItsSourcesElementsReadGrowingUntilItEnds() throws Exception {
    Pipeline p =
        Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=WeirRunner").create());
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
  public void aBoundedSourcesFractionDoneIsBetweenZeroAndOneWhileHeldNeverFallsAndEndsAtOne()
      throws Exception {
    Pipeline p =
        Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=WeirRunner").create());
    FractionDoneCheck.runAndCheck(p, tmp.newFolder("gate").toPath());
  }

  /** A slow step: 1 ms per element, so the job runs on after its source has read everything. */
  static class SlowFn extends DoFn<Long, Long> {
    @ProcessElement
    public void process(@Element Long n, OutputReceiver<Long> out) throws InterruptedException {
      Thread.sleep(1);
      out.output(n);
    }
  }

  @Test
  public void aBoundedSourceReadAsASplittableDoFnCountsItsElementsReadUnderAClearName()
      throws Exception {
    Pipeline p =
        Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=WeirRunner").create());
    p.apply("Numbers", GenerateSequence.from(0).to(30_000)).apply(ParDo.of(new SlowFn()));
    WeirPipelineResult result = (WeirPipelineResult) p.run();

    RunningJobMetrics.awaitReadWhileRunning(result, 1);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    JobProgress done = result.progress();
    assertEquals(30_000L, done.elementsRead());
    assertEquals(1, done.elementsReadBySource().size());
    String source = done.elementsReadBySource().keySet().iterator().next();
    assertThat(source, startsWith("Numbers/"));
    assertEquals(
        30_000L,
        RunningJobMetrics.attempted(
            result, SourceMetrics.NAMESPACE, SourceMetrics.ELEMENTS_READ));
  }
}
