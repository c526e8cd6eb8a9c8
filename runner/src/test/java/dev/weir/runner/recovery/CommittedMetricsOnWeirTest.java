package dev.weir.runner.recovery;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.runner.CheckpointStats;
import dev.weir.runner.WeirPipelineResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

/**
 * With checkpoints, committed metrics are the values as of the latest completed checkpoint: a
 * streaming job reports them while it runs, and a job that restarts from a checkpoint counts every
 * element once in them, however often it was processed.
 */
public class CommittedMetricsOnWeirTest {
  private static final AtomicBoolean FAILED = new AtomicBoolean();
  private static final long WAIT_MILLIS = 120_000;

  @Rule public Timeout timeout = Timeout.seconds(300);
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  /** Counts the elements it sees and throws once, the first time it sees element {@code failAt}. */
  static final class CountAndFailOnceFn extends DoFn<KV<String, Long>, KV<String, Long>> {
    private final Counter seen = Metrics.counter(CommittedMetricsOnWeirTest.class, "seen");
    private final long failAt;

    CountAndFailOnceFn(long failAt) {
      this.failAt = failAt;
    }

    @ProcessElement
    public void process(@Element KV<String, Long> e, OutputReceiver<KV<String, Long>> out) {
      seen.inc();
      if (e.getValue() == failAt && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure at element " + failAt);
      }
      out.output(e);
    }
  }

  private Pipeline pipeline(String name) throws Exception {
    return pipeline(tmp.newFolder("checkpoints-" + name).toPath(), 2);
  }

  private static Pipeline pipeline(Path checkpoints, int parallelism, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--runner=WeirRunner",
                "--parallelism=" + parallelism,
                "--checkpointingInterval=100",
                "--checkpointDir=" + checkpoints.toUri(),
                "--executionRetryDelay=10"));
    args.addAll(List.of(extra));
    return Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create());
  }

  /** Waits until the committed count is {@code expected}. */
  private static void awaitCommitted(PipelineResult result, long expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    while (committedSeen(result) < expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(expected, committedSeen(result));
  }

  private static MetricResult<Long> seen(PipelineResult result) {
    return result
        .metrics()
        .queryMetrics(
            MetricsFilter.builder()
                .addNameFilter(MetricNameFilter.named(CommittedMetricsOnWeirTest.class, "seen"))
                .build())
        .getCounters()
        .iterator()
        .next();
  }

  /** 0 while no completed checkpoint covers the counter (it has no committed value then). */
  private static long committedSeen(PipelineResult result) {
    try {
      return seen(result).getCommitted();
    } catch (java.util.NoSuchElementException | UnsupportedOperationException e) {
      return 0;
    }
  }

  @Test
  public void aRunningJobReportsTheCountersAsOfItsLatestCompletedCheckpoint() throws Exception {
    FAILED.set(true);
    String gate = "committed-" + System.nanoTime();
    Pipeline p = pipeline("running");
    p.apply(Read.from(new SequencedKeySource(20_000, 100, 2, 50_000).heldAt(10_000, gate)))
        .apply(ParDo.of(new CountAndFailOnceFn(-1)));

    WeirPipelineResult result = (WeirPipelineResult) p.run();
    try {
      // The sources stop at 10,000 elements and the job goes on checkpointing: a checkpoint
      // completes that holds all of them.
      awaitCommitted(result, 10_000);
      assertEquals(PipelineResult.State.RUNNING, result.getState());
      assertTrue(
          "a checkpoint completed",
          result.checkpoints().stream()
              .anyMatch(c -> c.status() == CheckpointStats.Status.COMPLETED));
      assertTrue(seen(result).getAttempted() >= 10_000L);
    } finally {
      SequencedKeySource.open(gate);
    }

    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    assertEquals(20_000L, (long) seen(result).getCommitted());
    assertEquals(20_000L, (long) seen(result).getAttempted());
  }

  @Test
  public void afterARestartFromACheckpointEachElementIsCommittedOnce() throws Exception {
    FAILED.set(false);
    long total = 60_000;
    Pipeline p = pipeline("restart");
    p.apply(Read.from(new SequencedKeySource(total, 600, 2, 20_000)))
        .apply(ParDo.of(new CountAndFailOnceFn(total / 2)));

    WeirPipelineResult result = (WeirPipelineResult) p.run();

    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    assertEquals(1, result.restarts().size());
    assertTrue(
        "restored from a checkpoint", result.restarts().get(0).restoredCheckpoint().isPresent());
    // Elements processed after the checkpoint restored from and before the failure were
    // processed twice: attempted counts them twice, committed once.
    assertEquals(total, (long) seen(result).getCommitted());
    assertTrue(
        "attempted " + seen(result).getAttempted(), seen(result).getAttempted() >= total);
  }

  @Test
  public void aJobStartedFromAnotherJobsCheckpointCountsOnFromItsCommittedValues()
      throws Exception {
    FAILED.set(true);
    String gate = "restore-from-" + System.nanoTime();
    SequencedKeySource source = new SequencedKeySource(20_000, 100, 2, 50_000).heldAt(10_000, gate);
    Path firstCheckpoints = tmp.newFolder("checkpoints-first").toPath();
    Pipeline first = pipeline(firstCheckpoints, 2);
    first.apply(Read.from(source)).apply(ParDo.of(new CountAndFailOnceFn(-1)));
    WeirPipelineResult stopped = (WeirPipelineResult) first.run();
    // The first job's latest checkpoint holds the 10,000 elements before the hold.
    awaitCommitted(stopped, 10_000);
    assertEquals(PipelineResult.State.CANCELLED, stopped.cancel());
    List<CheckpointStats> completed =
        stopped.checkpoints().stream()
            .filter(c -> c.status() == CheckpointStats.Status.COMPLETED)
            .toList();
    String restoreFrom =
        CheckpointFiles.ofOnlyJob(firstCheckpoints)
            .checkpointDirectory(completed.get(completed.size() - 1).id())
            .toUri()
            .toString();

    // At another parallelism: the metrics are the job's, not any one subtask's.
    Pipeline second =
        pipeline(tmp.newFolder("checkpoints-second").toPath(), 3, "--restoreFrom=" + restoreFrom);
    second.apply(Read.from(source)).apply(ParDo.of(new CountAndFailOnceFn(-1)));
    SequencedKeySource.open(gate);
    WeirPipelineResult result = (WeirPipelineResult) second.run();

    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    assertEquals(20_000L, (long) seen(result).getCommitted());
    assertTrue(
        "attempted " + seen(result).getAttempted(), seen(result).getAttempted() >= 20_000L);
  }
}
