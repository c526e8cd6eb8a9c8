package dev.weir.runner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Impulse;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A stage whose input channels have all ended can still run for long: an unbounded splittable
 * DoFn after {@code Impulse} (Watch, PeriodicImpulse, a Kafka read by descriptors) works on from
 * its resume timers once Impulse's only element and end of input are in. Its producers have
 * finished, so no barrier reaches it any more: it must take the coordinator's triggers as a source
 * does, or no checkpoint of the job completes while it runs.
 */
public class CheckpointsAfterInputEndedTest {
  private static final long WAIT_MILLIS = 60_000;
  private static final AtomicBoolean STOP = new AtomicBoolean();

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  @After
  public void stop() {
    STOP.set(true);
  }

  /** Emits 0, 1, 2, ... one per resume, every 10 ms, until the test says stop. */
  @DoFn.UnboundedPerElement
  static class TickUntilStopped extends DoFn<byte[], Long> {
    @ProcessElement
    public ProcessContinuation process(
        RestrictionTracker<OffsetRange, Long> tracker, OutputReceiver<Long> out) {
      long next = tracker.currentRestriction().getFrom();
      if (STOP.get()) {
        // Claiming past the end marks the restriction done.
        tracker.tryClaim(tracker.currentRestriction().getTo());
        return ProcessContinuation.stop();
      }
      if (!tracker.tryClaim(next)) {
        return ProcessContinuation.stop();
      }
      out.output(next);
      return ProcessContinuation.resume().withResumeDelay(Duration.millis(10));
    }

    @GetInitialRestriction
    public OffsetRange initialRestriction() {
      return new OffsetRange(0, Long.MAX_VALUE);
    }
  }

  @Test
  public void aStageWhoseInputEndedTakesCheckpointsWhileItRuns() throws Exception {
    STOP.set(false);
    WeirPipelineOptions options =
        PipelineOptionsFactory.fromArgs(
                "--runner=WeirRunner",
                "--checkpointingInterval=100",
                "--checkpointDir=" + temp.newFolder("checkpoints").toURI())
            .as(WeirPipelineOptions.class);
    Pipeline p = Pipeline.create(options);
    p.apply(Impulse.create()).apply(ParDo.of(new TickUntilStopped()));

    WeirPipelineResult result = (WeirPipelineResult) p.run();
    long completed;
    try {
      // Impulse ends within moments; three checkpoints take at least 300 ms, so at least two
      // complete after the splittable DoFn's input has ended.
      long deadline = System.currentTimeMillis() + WAIT_MILLIS;
      do {
        Thread.sleep(20);
        completed = completed(result.checkpoints());
      } while (completed < 3 && System.currentTimeMillis() < deadline);
    } finally {
      STOP.set(true);
    }
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    assertTrue(
        "checkpoints while the stage ran on after its input ended: " + result.checkpoints(),
        completed >= 3);
  }

  private static long completed(List<CheckpointStats> checkpoints) {
    return checkpoints.stream()
        .filter(c -> c.status() == CheckpointStats.Status.COMPLETED)
        .count();
  }
}
