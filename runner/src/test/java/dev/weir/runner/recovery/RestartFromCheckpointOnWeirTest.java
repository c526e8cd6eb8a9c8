package dev.weir.runner.recovery;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.runner.WeirPipelineResult;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

/**
 * On the embedded cluster: a keyed counting job with checkpoints fails once in user code after
 * some checkpoints completed, restarts from the latest one, and every element takes effect exactly
 * once, for each state backend.
 */
public class RestartFromCheckpointOnWeirTest {
  private static final AtomicBoolean FAILED = new AtomicBoolean();

  @Rule public Timeout timeout = Timeout.seconds(300);
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  /** Throws once, the first time it sees element {@code failAt}. */
  static final class FailOnceFn extends DoFn<KV<String, Long>, KV<String, Long>> {
    private final long failAt;

    FailOnceFn(long failAt) {
      this.failAt = failAt;
    }

    @ProcessElement
    public void process(@Element KV<String, Long> e, OutputReceiver<KV<String, Long>> out) {
      if (e.getValue() == failAt && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure at element " + failAt);
      }
      out.output(e);
    }
  }

  private void runAndCheck(String stateBackend) throws Exception {
    FAILED.set(false);
    long total = 60_000;
    int keys = 600;
    Path ledger = tmp.newFolder("ledger-" + stateBackend).toPath();
    Path checkpoints = tmp.newFolder("checkpoints-" + stateBackend).toPath();
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--parallelism=2",
                    "--stateBackend=" + stateBackend,
                    "--checkpointingInterval=100",
                    "--checkpointDir=" + checkpoints.toUri(),
                    "--executionRetryDelay=10")
                .create());
    p.apply(Read.from(new SequencedKeySource(total, keys, 2, 20_000)))
        .apply(ParDo.of(new FailOnceFn(total / 2)))
        .apply(ParDo.of(new CountPerKeyFn()))
        .apply(ParDo.of(new LedgerSink.Stable(ledger.toString())));

    WeirPipelineResult result = (WeirPipelineResult) p.run();

    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    assertEquals(1, result.restarts().size());
    assertTrue(
        String.valueOf(result.restarts().get(0)),
        String.valueOf(result.restarts().get(0).cause()).contains("injected failure"));
    assertTrue("restored from a checkpoint", result.restarts().get(0).restoredCheckpoint().isPresent());
    Ledger judged = Ledger.read(ledger, total, keys);
    assertTrue(judged.toString(), judged.exactlyOnce());
  }

  @Test
  public void aJobFailingOnceRestartsFromItsCheckpointWithEveryEffectOnceOnRocksDb()
      throws Exception {
    runAndCheck("rocksdb");
  }

  @Test
  public void aJobFailingOnceRestartsFromItsCheckpointWithEveryEffectOnceOnHeapState()
      throws Exception {
    runAndCheck("memory");
  }
}
