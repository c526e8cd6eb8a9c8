package dev.weir.runner.recovery;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.checkpoint.coordination.PendingCheckpoint;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.runner.CheckpointStats;
import dev.weir.runner.JobRestart;
import dev.weir.runner.WeirPipelineResult;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Impulse;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.apache.beam.sdk.values.KV;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

/**
 * On the embedded cluster: a bounded job (a splittable DoFn reading a range of sequence numbers,
 * keyed counting with state and timers, a stable-input ledger sink) with checkpoints fails once
 * late, at 90 % of its input, and restarts from a checkpoint rather than from its beginning: the
 * source does not read everything again, and every element takes effect exactly once. Its Impulse
 * has finished long before that checkpoint, which records it as finished; the splittable DoFn
 * reads with its input ended, from its resume timers.
 *
 * <p>Gap: {@code GenerateSequence.from(0).to(n)} and other offset-based {@code BoundedSource}s
 * cannot stand in for the splittable DoFn here. Beam's wrapper that reads them as a splittable
 * DoFn refuses a checkpoint at the position read so far (an offset-based reader only splits after
 * its last record), so each of their restrictions is read in one step, with no checkpoint
 * during it.
 */
public class BoundedRestartFromCheckpointOnWeirTest {
  private static final long TOTAL = 200_000;
  private static final int KEYS = 400;

  private static final AtomicBoolean FAILED = new AtomicBoolean();
  private static final AtomicLong SEEN = new AtomicLong();
  private static volatile long halfSeenAtMillis;
  private static volatile WeirPipelineResult running;

  @Rule public Timeout timeout = Timeout.seconds(120);
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  /**
   * A bounded source as a splittable DoFn: the sequence numbers {@code [0, total)} in four
   * restrictions, keyed as the ledger expects; counts what it emitted, in every attempt.
   */
  static final class SequenceFn extends DoFn<byte[], KV<String, Long>> {
    private final Counter emitted = Metrics.counter(SequenceFn.class, "emitted");
    private final long total;

    SequenceFn(long total) {
      this.total = total;
    }

    @GetInitialRestriction
    public OffsetRange initialRestriction() {
      return new OffsetRange(0, total);
    }

    @SplitRestriction
    public void splitRestriction(
        @Restriction OffsetRange range, OutputReceiver<OffsetRange> parts) {
      for (OffsetRange part : range.split(total / 4, 1)) {
        parts.output(part);
      }
    }

    @ProcessElement
    public void process(
        RestrictionTracker<OffsetRange, Long> tracker, OutputReceiver<KV<String, Long>> out) {
      for (long seq = tracker.currentRestriction().getFrom(); tracker.tryClaim(seq); seq++) {
        emitted.inc();
        out.output(KV.of(SequencedKeySource.keyOf(seq, KEYS), seq));
      }
    }
  }

  /**
   * Fails once, at the first element from 90 % of the input on, once a checkpoint triggered after
   * half the input had passed here has completed: the restart then has at least half the input
   * behind it. Until that checkpoint is there it slows down (1 ms an element) rather than reach
   * the end first.
   */
  static final class FailLateOnceFn extends DoFn<KV<String, Long>, KV<String, Long>> {
    @ProcessElement
    public void process(@Element KV<String, Long> e, OutputReceiver<KV<String, Long>> out)
        throws InterruptedException {
      if (!FAILED.get()) {
        long seen = SEEN.incrementAndGet();
        if (seen == TOTAL / 2) {
          halfSeenAtMillis = System.currentTimeMillis();
        }
        if (seen >= TOTAL * 9 / 10) {
          if (checkpointAfterHalf() && FAILED.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure after " + seen + " elements");
          }
          Thread.sleep(1);
        }
      }
      out.output(e);
    }

    private static boolean checkpointAfterHalf() {
      WeirPipelineResult result = running;
      long half = halfSeenAtMillis;
      return result != null
          && half > 0
          && result.checkpoints().stream()
              .anyMatch(
                  c ->
                      c.status() == CheckpointStats.Status.COMPLETED
                          && c.triggeredAtMillis() > half);
    }
  }

  @Test
  public void aBoundedJobFailingLateRestartsFromACheckpointAndReadsOnlyWhatFollowsIt()
      throws Exception {
    FAILED.set(false);
    SEEN.set(0);
    halfSeenAtMillis = 0;
    running = null;
    Path ledger = tmp.newFolder("ledger").toPath();
    Path checkpoints = tmp.newFolder("checkpoints").toPath();
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--parallelism=2",
                    "--stateBackend=memory",
                    "--checkpointingInterval=100",
                    // Keeps the restored checkpoint's metadata for the test to read.
                    "--retainedCheckpoints=1000",
                    "--checkpointDir=" + checkpoints.toUri(),
                    "--executionRetryDelay=10")
                .create());
    p.apply(Impulse.create())
        .apply(ParDo.of(new SequenceFn(TOTAL)))
        .apply(ParDo.of(new FailLateOnceFn()))
        .apply(ParDo.of(new CountPerKeyFn()))
        .apply(ParDo.of(new LedgerSink.Stable(ledger.toString())));

    WeirPipelineResult result = (WeirPipelineResult) p.run();
    running = result;

    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    assertEquals(String.valueOf(result.restarts()), 1, result.restarts().size());
    JobRestart restart = result.restarts().get(0);
    assertTrue(restart.cause(), restart.cause().contains("injected failure"));
    assertTrue("restored from a checkpoint", restart.restoredCheckpoint().isPresent());
    long restored = restart.restoredCheckpoint().getAsLong();
    CheckpointStats restoredStats =
        result.checkpoints().stream().filter(c -> c.id() == restored).findFirst().orElseThrow();
    assertTrue(
        "restored " + restoredStats + ", half the input was seen at " + halfSeenAtMillis,
        restoredStats.triggeredAtMillis() > halfSeenAtMillis);

    long emitted = attemptedCounter(result, "emitted");
    assertTrue("emitted " + emitted + " of " + TOTAL, emitted >= TOTAL);
    // From the beginning it would be about 1.9 x TOTAL; from a checkpoint past half, below 1.5 x.
    assertTrue("emitted " + emitted + " of " + TOTAL, emitted < TOTAL * 3 / 2);

    CheckpointMetadata metadata = CheckpointFiles.ofOnlyJob(checkpoints).metadata(restored);
    assertTrue(
        "the restored checkpoint records finished subtasks: " + metadata.getEntriesList(),
        metadata.getEntriesList().stream()
            .anyMatch(e -> e.getName().startsWith(PendingCheckpoint.FINISHED_ENTRY_PREFIX)));

    Ledger judged = Ledger.read(ledger, TOTAL, KEYS);
    assertTrue(judged.toString(), judged.exactlyOnce());
  }

  private static long attemptedCounter(WeirPipelineResult result, String name) {
    long sum = 0;
    for (MetricResult<Long> counter :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(SequenceFn.class, name))
                    .build())
            .getCounters()) {
      sum += counter.getAttempted();
    }
    return sum;
  }
}
