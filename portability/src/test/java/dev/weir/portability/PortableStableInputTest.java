package dev.weir.portability;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * {@code @RequiresStableInput} in a portable streaming job on the embedded cluster: a failure
 * injected in the harness restores the job from its last checkpoint, and a sink that records every
 * element with a random id stamped on it upstream sees each element with one id only when it
 * requires stable input; without it, elements stamped again after the restore reach it twice.
 */
public class PortableStableInputTest {
  private static final AtomicBoolean FAILED = new AtomicBoolean();
  private static final long TOTAL = 20_000;
  private static final int KEYS = 20;

  public final TemporaryFolder tmp = new TemporaryFolder();
  private final JobServerRule jobServer = new JobServerRule(tmp);
  @Rule public final RuleChain rules = RuleChain.outerRule(tmp).around(jobServer);

  @Before
  public void resetTheTestsStaticState() {
    SequenceSource.RESUMED_AT.clear();
    FAILED.set(false);
  }

  /** Fails once, in the harness, the first time it sees element {@code failAt}. */
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

  /** Stamps each element with a random id: a replay after a restore stamps it anew. */
  static final class StampFn extends DoFn<KV<String, Long>, KV<String, String>> {
    @ProcessElement
    public void process(@Element KV<String, Long> e, OutputReceiver<KV<String, String>> out) {
      out.output(KV.of(e.getKey(), e.getValue() + "," + UUID.randomUUID()));
    }
  }

  /** Appends {@code key,seq,stamp} lines to a file of its own, flushed at each bundle's end. */
  abstract static class Ledger extends DoFn<KV<String, String>, Void> {
    private final String directory;
    private transient BufferedWriter writer;

    Ledger(String directory) {
      this.directory = directory;
    }

    @Setup
    public void open() throws IOException {
      writer =
          Files.newBufferedWriter(
              Path.of(directory, UUID.randomUUID() + ".lines"),
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE_NEW);
    }

    void write(KV<String, String> record) throws IOException {
      writer.write(record.getKey() + "," + record.getValue());
      writer.newLine();
    }

    @FinishBundle
    public void flush() throws IOException {
      writer.flush();
    }

    @Teardown
    public void close() throws IOException {
      if (writer != null) {
        writer.close();
      }
    }
  }

  static final class StableLedger extends Ledger {
    StableLedger(String directory) {
      super(directory);
    }

    @ProcessElement
    @RequiresStableInput
    public void process(@Element KV<String, String> record) throws IOException {
      write(record);
    }
  }

  /** A stable ledger with user state: its stage reads its input over a keyed exchange. */
  static final class StatefulStableLedger extends Ledger {
    @StateId("records")
    private final StateSpec<ValueState<Integer>> recordsSpec = StateSpecs.value(VarIntCoder.of());

    StatefulStableLedger(String directory) {
      super(directory);
    }

    @ProcessElement
    @RequiresStableInput
    public void process(
        @Element KV<String, String> record, @StateId("records") ValueState<Integer> records)
        throws IOException {
      Integer before = records.read();
      records.write(before == null ? 1 : before + 1);
      write(record);
    }
  }

  static final class UnstableLedger extends Ledger {
    UnstableLedger(String directory) {
      super(directory);
    }

    @ProcessElement
    public void process(@Element KV<String, String> record) throws IOException {
      write(record);
    }
  }

  /** Per element, the distinct stamps the sinks recorded for it. */
  static final class Seen {
    final long lost;
    final long seenTwice;
    final long lines;

    Seen(Path directory) throws IOException {
      SinkFiles.Records records = SinkFiles.read(directory, KEYS);
      Map<Long, Set<String>> stamps = records.thirdFieldBySeq;
      long read = records.lines;
      long missing = 0;
      long twice = 0;
      for (long seq = 0; seq < TOTAL; seq++) {
        Set<String> seen = stamps.get(seq);
        if (seen == null) {
          missing++;
        } else if (seen.size() > 1) {
          twice++;
        }
      }
      this.lost = missing;
      this.seenTwice = twice;
      this.lines = read;
    }

    @Override
    public String toString() {
      return "lost=" + lost + " seenTwice=" + seenTwice + " lines=" + lines;
    }
  }

  private Seen runWithOneFailure(DoFn<KV<String, String>, Void> sink, Path out) throws Exception {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--defaultEnvironmentType=EMBEDDED",
                    "--experiments=use_deprecated_read",
                    "--parallelism=2",
                    "--stateBackend=rocksdb",
                    "--stateDirectory=" + tmp.newFolder(),
                    "--checkpointingInterval=100",
                    "--checkpointDir=" + tmp.newFolder("checkpoints").toURI(),
                    "--executionRetryDelay=10")
                .create());
    p.apply(Read.from(new SequenceSource(TOTAL, KEYS, 2, 4_000)))
        .apply("FailOnce", ParDo.of(new FailOnceFn(TOTAL / 2)))
        .apply("Stamp", ParDo.of(new StampFn()))
        .apply("Sink", ParDo.of(sink));

    String jobId = jobServer.client().submit(p, sink.getClass().getSimpleName());

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 300));
    assertTrue("the injected failure happened", FAILED.get());
    // The readers resumed from checkpoint marks past their start: a restore, not a rerun.
    assertFalse("no reader resumed from a mark", SequenceSource.RESUMED_AT.isEmpty());
    assertTrue(
        String.valueOf(SequenceSource.RESUMED_AT),
        SequenceSource.RESUMED_AT.stream().allMatch(next -> next > 1));
    Seen seen = new Seen(out);
    System.out.println(
        sink.getClass().getSimpleName() + " after a restore: " + seen
            + " resumedAt=" + SequenceSource.RESUMED_AT);
    return seen;
  }

  @Test
  public void aSinkRequiringStableInputSeesEachElementOnceAfterARestore() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Seen seen = runWithOneFailure(new StableLedger(out.toString()), out);

    assertEquals(seen.toString(), 0, seen.lost);
    assertEquals(seen.toString(), 0, seen.seenTwice);
  }

  @Test
  public void withoutStableInputTheSinkSeesElementsStampedAgainAfterTheRestore() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Seen seen = runWithOneFailure(new UnstableLedger(out.toString()), out);

    assertEquals(seen.toString(), 0, seen.lost);
    assertTrue(seen.toString(), seen.seenTwice > 0);
  }

  @Test
  public void aStatefulSinkRequiringStableInputSeesEachElementOnceAfterARestore()
      throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Seen seen = runWithOneFailure(new StatefulStableLedger(out.toString()), out);

    assertEquals(seen.toString(), 0, seen.lost);
    assertEquals(seen.toString(), 0, seen.seenTwice);
  }
}
