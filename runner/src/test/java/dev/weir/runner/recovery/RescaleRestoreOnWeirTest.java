package dev.weir.runner.recovery;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.runner.CheckpointStats;
import dev.weir.runner.WeirPipelineResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

/**
 * On the embedded cluster: a job is stopped at a known point of its input, and a new job with
 * another {@code --parallelism} (same {@code --maxParallelism}) starts from its last checkpoint
 * ({@code --restoreFrom=.../chk-<n>}) or from a savepoint taken before the cancel. Key groups and
 * source splits move to other subtasks; the two jobs together write every element once, each with
 * the count an uninterrupted run gives it.
 *
 * <p>The first job's source holds its input from {@link #HOLD_FROM} on. Once the ledger shows the
 * last element whose timer can fire before that point, everything the first job will ever write
 * has been written (its timers all fired at that one watermark advance), so cancelling it then
 * loses nothing; its last checkpoint holds the rest in state.
 */
public class RescaleRestoreOnWeirTest {
  private static final long TOTAL = 30_000;
  private static final int KEYS = 300;
  private static final long HOLD_FROM = 10_000;
  private static final String GATE = "rescale";
  private static final long WAIT_MILLIS = 60_000;

  @Rule public Timeout timeout = Timeout.seconds(120);
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private Pipeline pipeline(
      int parallelism, String stateBackend, Path checkpoints, Path ledger, String... extra) {
    String[] base = {
      "--runner=WeirRunner",
      "--parallelism=" + parallelism,
      "--maxParallelism=64",
      "--stateBackend=" + stateBackend,
      "--checkpointingInterval=100",
      "--checkpointDir=" + checkpoints.toUri(),
      "--executionRetryDelay=10"
    };
    String[] args = Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(args).create());
    p.apply(Read.from(new SequencedKeySource(TOTAL, KEYS, 2, 20_000).heldAt(HOLD_FROM, GATE)))
        .apply(ParDo.of(new CountPerKeyFn()))
        .apply(ParDo.of(new LedgerSink.Stable(ledger.toString())));
    return p;
  }

  private void rescale(int from, int to, String stateBackend, boolean viaSavepoint)
      throws Exception {
    Path ledger = tmp.newFolder("ledger").toPath();
    Path firstCheckpoints = tmp.newFolder("checkpoints-first").toPath();
    Path secondCheckpoints = tmp.newFolder("checkpoints-second").toPath();

    WeirPipelineResult first =
        (WeirPipelineResult) pipeline(from, stateBackend, firstCheckpoints, ledger).run();
    // Split 0 emits the even numbers: HOLD_FROM - 2 is its last before the hold, and its timer
    // fires at the watermark the held sources stop at.
    waitForRecord(ledger, HOLD_FROM - 2);
    // Nothing the first job does from here on changes what it wrote or what it holds in state,
    // so a savepoint now and its last checkpoint are equally good places to go on from.
    String savepoint = viaSavepoint ? first.savepoint(null) : null;
    assertEquals(PipelineResult.State.CANCELLED, first.cancel());
    String restoreFrom;
    if (viaSavepoint) {
      restoreFrom = savepoint;
    } else {
      List<CheckpointStats> completed =
          first.checkpoints().stream()
              .filter(c -> c.status() == CheckpointStats.Status.COMPLETED)
              .toList();
      assertTrue("the first job completed a checkpoint", !completed.isEmpty());
      long last = completed.get(completed.size() - 1).id();
      restoreFrom =
          CheckpointFiles.ofOnlyJob(firstCheckpoints).checkpointDirectory(last).toUri().toString();
    }

    Pipeline restored =
        pipeline(
            to, stateBackend, secondCheckpoints, ledger, "--restoreFrom=" + restoreFrom);
    // The same source, no longer held.
    SequencedKeySource.open(GATE);
    WeirPipelineResult second = (WeirPipelineResult) restored.run();

    assertEquals(PipelineResult.State.DONE, second.waitUntilFinish());
    Ledger judged = Ledger.read(ledger, TOTAL, KEYS);
    // The first job wrote its part (up to HOLD_FROM - 2) before it was cancelled; had the second
    // one counted those elements again, their records would differ (a new emission id) and show
    // as duplicated. Records the restored stable-input buffer releases again are identical.
    assertTrue(judged.toString(), judged.exactlyOnce());
    assertEquals(judged.toString(), 0, judged.countsUnlikeAnUninterruptedRun);
  }

  /** Waits until a ledger file holds the record of element {@code seq}. */
  private static void waitForRecord(Path ledger, long seq) throws Exception {
    String key = SequencedKeySource.keyOf(seq, KEYS);
    String prefix = key + "," + seq + ",";
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    while (!containsLine(ledger, prefix)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no record of element " + seq + " in " + ledger);
      }
      Thread.sleep(20);
    }
  }

  private static boolean containsLine(Path ledger, String prefix) throws IOException {
    try (Stream<Path> files = Files.list(ledger)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".ledger")).toList()) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (line.startsWith(prefix)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  @Test
  public void aJobRestoredAtHigherParallelismEndsAsAnUninterruptedRunWould() throws Exception {
    rescale(2, 3, "rocksdb", false);
  }

  @Test
  public void aJobRestoredAtLowerParallelismEndsAsAnUninterruptedRunWould() throws Exception {
    rescale(3, 1, "rocksdb", false);
  }

  @Test
  public void aSavepointRestoredAtAnotherParallelismEndsAsAnUninterruptedRunWould()
      throws Exception {
    rescale(2, 1, "memory", true);
  }
}
