package dev.weir.runner.recovery;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.weir.runner.CheckpointStats;
import dev.weir.runner.JobRestart;
import dev.weir.runner.WeirPipelineResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

/**
 * On the embedded cluster: the newest checkpoint is damaged while the job runs (a state file cut
 * short, a byte of its metadata flipped, a byte of a state file flipped), then user code fails; the
 * restart passes over the damaged checkpoint with the reason logged and restores the one before.
 *
 * <p>Nothing is lost and the keyed state is that of the older checkpoint, but the stable-input sink
 * had already written what the damaged checkpoint's completion released, so the elements between
 * the two checkpoints take effect twice, each time meeting the same state (a faithful replay). No
 * runner can undo an effect a completed checkpoint committed; exactly-once holds only up to the
 * newest checkpoint that can still be restored.
 *
 * <p>No timing luck: a DoFn holds one element until the test has damaged the files, and the test
 * knows which checkpoint is the newest for good because a checkpoint triggered after the DoFn
 * blocked cannot complete (its barrier cannot pass the blocked subtask).
 */
public class CorruptCheckpointRecoveryOnWeirTest {
  private static final long TOTAL = 40_000;
  private static final int KEYS = 500;

  /** The source holds the elements from here on until the test has its checkpoints. */
  private static final long HOLD_FROM = 10_000;

  private static final String GATE = "corrupt-checkpoint";
  private static final long WAIT_MILLIS = 60_000;

  private static final AtomicBoolean FIRED = new AtomicBoolean();
  private static volatile CountDownLatch blocked = new CountDownLatch(1);
  private static volatile CountDownLatch release = new CountDownLatch(1);
  private static volatile long blockedAtMillis;

  @Rule public Timeout timeout = Timeout.seconds(120);
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  /**
   * Holds the first element from {@link #HOLD_FROM} on until released, then throws: the test
   * damages the checkpoint files in between.
   */
  static final class FailWhenReleasedFn extends DoFn<KV<String, Long>, KV<String, Long>> {
    @ProcessElement
    public void process(@Element KV<String, Long> e, OutputReceiver<KV<String, Long>> out)
        throws InterruptedException {
      if (e.getValue() >= HOLD_FROM && FIRED.compareAndSet(false, true)) {
        blockedAtMillis = System.currentTimeMillis();
        blocked.countDown();
        if (!release.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("the test never released the blocked element");
        }
        throw new IllegalStateException("injected failure after the checkpoint was damaged");
      }
      out.output(e);
    }
  }

  /** Damages checkpoint {@code newest} of the job. */
  interface Damage {
    void apply(CheckpointFiles files, long newest) throws IOException;
  }

  /** What a run saw: the newest completed checkpoint when damaged and the one before it. */
  private record Run(
      WeirPipelineResult result, long newest, long previous, String log, Ledger ledger) {}

  @Before
  public void reset() {
    FIRED.set(false);
    blocked = new CountDownLatch(1);
    release = new CountDownLatch(1);
  }

  private Run run(String stateBackend, Damage damage) throws Exception {
    Path ledger = tmp.newFolder("ledger").toPath();
    Path checkpoints = tmp.newFolder("checkpoints").toPath();
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--parallelism=2",
                    "--stateBackend=" + stateBackend,
                    "--checkpointingInterval=100",
                    "--checkpointTimeoutMillis=5000",
                    "--retainedCheckpoints=3",
                    "--checkpointDir=" + checkpoints.toUri(),
                    "--executionRetryDelay=10")
                .create());
    p.apply(Read.from(new SequencedKeySource(TOTAL, KEYS, 2, 20_000).heldAt(HOLD_FROM, GATE)))
        .apply(ParDo.of(new FailWhenReleasedFn()))
        .apply(ParDo.of(new CountPerKeyFn()))
        .apply(ParDo.of(new LedgerSink.Stable(ledger.toString())));

    try (CapturedStderr log = new CapturedStderr()) {
      WeirPipelineResult result = (WeirPipelineResult) p.run();
      waitFor("3 completed checkpoints", () -> completed(result.checkpoints()).size() >= 3);
      SequencedKeySource.open(GATE);
      assertTrue("an element was held", blocked.await(WAIT_MILLIS, TimeUnit.MILLISECONDS));
      // Checkpoints go one at a time: once one triggered after the block has ended (timed out),
      // all earlier ones have ended, and no later one can complete while the element is held.
      waitFor(
          "a checkpoint triggered after the block to end",
          () ->
              result.checkpoints().stream()
                  .anyMatch(c -> c.triggeredAtMillis() > blockedAtMillis));
      List<CheckpointStats> done = completed(result.checkpoints());
      assertFalse(
          "no checkpoint triggered after the block completed: " + done,
          done.stream().anyMatch(c -> c.triggeredAtMillis() > blockedAtMillis));
      long newest = done.get(done.size() - 1).id();
      long previous = done.get(done.size() - 2).id();
      damage.apply(CheckpointFiles.ofOnlyJob(checkpoints), newest);
      release.countDown();

      assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
      return new Run(result, newest, previous, log.text(), Ledger.read(ledger, TOTAL, KEYS));
    }
  }

  private static List<CheckpointStats> completed(List<CheckpointStats> all) {
    return all.stream().filter(c -> c.status() == CheckpointStats.Status.COMPLETED).toList();
  }

  private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private static void assertRestoredFrom(long expected, JobRestart restart) {
    assertTrue(String.valueOf(restart), restart.restoredCheckpoint().isPresent());
    assertEquals(String.valueOf(restart), expected, restart.restoredCheckpoint().getAsLong());
  }

  @Test
  public void aTruncatedStateFileOfTheNewestCheckpointMakesTheRestartRestoreThePreviousOne()
      throws Exception {
    Run run =
        run(
            "rocksdb",
            (files, newest) -> CheckpointFiles.truncate(files.filesUploadedBy(newest).get(0)));

    assertEquals(String.valueOf(run.result().restarts()), 1, run.result().restarts().size());
    JobRestart restart = run.result().restarts().get(0);
    assertTrue(restart.cause(), restart.cause().contains("injected failure"));
    assertRestoredFrom(run.previous(), restart);
    assertTrue(run.log(), run.log().contains("checkpoint " + run.newest() + " skipped"));
    assertTrue(run.log(), run.log().contains("size mismatch"));
    assertTrue(run.ledger().toString(), run.ledger().noneLostAndEveryDuplicateAReplay());
  }

  @Test
  public void aFlippedByteInTheNewestMetadataMakesTheRestartRestoreThePreviousCheckpoint()
      throws Exception {
    Run run =
        run("memory", (files, newest) -> CheckpointFiles.flipByte(files.metadataFile(newest)));

    assertEquals(String.valueOf(run.result().restarts()), 1, run.result().restarts().size());
    assertRestoredFrom(run.previous(), run.result().restarts().get(0));
    assertTrue(run.log(), run.log().contains("checkpoint " + run.newest() + " skipped"));
    assertTrue(run.ledger().toString(), run.ledger().noneLostAndEveryDuplicateAReplay());
  }

  /**
   * A flipped byte leaves the file's size as recorded, so only its checksum tells: the first
   * restart's download finds it, and the next restart checks checksums and passes over it, rather
   * than restoring the same checkpoint until the restarts run out.
   */
  @Test
  public void aFlippedByteInAStateFileFailsItsRestoreAndTheNextRestartRestoresThePreviousOne()
      throws Exception {
    Run run =
        run(
            "memory",
            (files, newest) -> CheckpointFiles.flipByte(files.filesUploadedBy(newest).get(0)));

    List<JobRestart> restarts = run.result().restarts();
    assertEquals(String.valueOf(restarts), 2, restarts.size());
    assertRestoredFrom(run.newest(), restarts.get(0));
    assertTrue(restarts.get(1).cause(), restarts.get(1).cause().contains("Cannot restore"));
    assertTrue(run.log(), run.log().contains("checksum mismatch"));
    assertRestoredFrom(run.previous(), restarts.get(1));
    assertTrue(run.log(), run.log().contains("checkpoint " + run.newest() + " skipped"));
    assertTrue(run.ledger().toString(), run.ledger().noneLostAndEveryDuplicateAReplay());
  }
}
