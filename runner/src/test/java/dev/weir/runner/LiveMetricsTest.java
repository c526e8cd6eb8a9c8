package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertEquals;

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
import org.junit.rules.Timeout;

/** Metrics of a running job, on the embedded cluster, before any subtask has ended. */
public class LiveMetricsTest {
  @Rule public Timeout timeout = Timeout.seconds(300);

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
}
