package dev.weir.portability;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Never;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.joda.time.Duration;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * Side inputs of streaming portable jobs (unbounded sources read by the engine, EMBEDDED harness):
 * a main-input element waits until the side-input window it reads is ready, then the harness's
 * side-input requests are answered from that window; waiting elements and side-input contents
 * survive a restart from a checkpoint.
 */
public class PortableStreamingSideInputTest {
  private static final AtomicBoolean FAILED = new AtomicBoolean();
  // Main-input elements seen before the stage with the side input, by value.
  private static final Set<Long> SEEN = ConcurrentHashMap.newKeySet();
  // When the side input's gate was opened, and when each main element read the side input.
  private static volatile long gateOpenedAtNanos;
  private static final Map<Long, Long> READ_AT_NANOS = new ConcurrentHashMap<>();

  public final TemporaryFolder tmp = new TemporaryFolder();
  private final JobServerRule jobServer = new JobServerRule(tmp);
  @Rule public final RuleChain rules = RuleChain.outerRule(tmp).around(jobServer);

  @Before
  public void resetTheTestsStaticState() {
    FAILED.set(false);
    SequenceSource.RESUMED_AT.clear();
    SEEN.clear();
    READ_AT_NANOS.clear();
    gateOpenedAtNanos = Long.MAX_VALUE;
  }

  private PipelineOptions options(String... more) throws IOException {
    return PipelineOptionsFactory.fromArgs(
            Stream.concat(
                    Stream.of(
                        "--runner=WeirRunner",
                        "--defaultEnvironmentType=EMBEDDED",
                        "--experiments=use_deprecated_read",
                        "--parallelism=2",
                        "--stateBackend=rocksdb",
                        "--stateDirectory=" + tmp.newFolder()),
                    Stream.of(more))
                .toArray(String[]::new))
        .create();
  }

  /** Records the main-input elements that passed, before the exchange to the side-input stage. */
  static final class SeeFn extends DoFn<KV<String, Long>, KV<String, Long>> {
    @ProcessElement
    public void process(@Element KV<String, Long> e, OutputReceiver<KV<String, Long>> out) {
      SEEN.add(e.getValue());
      out.output(e);
    }
  }

  /** Writes {@code key-value: side} to a file named after the element's value. */
  static final class ReadSingletonFn extends DoFn<KV<String, Long>, Void> {
    private final PCollectionView<Long> side;
    private final String dir;

    ReadSingletonFn(PCollectionView<Long> side, String dir) {
      this.side = side;
      this.dir = dir;
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      Long value = c.sideInput(side);
      READ_AT_NANOS.put(c.element().getValue(), System.nanoTime());
      Files.writeString(
          Path.of(dir, Long.toString(c.element().getValue())),
          c.element().getKey() + ":" + value);
    }
  }

  @Test
  public void aMainInputElementWaitsForTheSideInputWindowItReadsToBeReady() throws Exception {
    ScriptedSource.reset("side");
    Path out = tmp.newFolder("out").toPath();
    Pipeline p = Pipeline.create(options());
    PCollectionView<Long> side =
        p.apply(
                "Side",
                Read.from(
                    new ScriptedSource(
                        List.of(
                            // Nothing, the watermark at its start, until the main elements passed.
                            ScriptedSource.Step.gate("side"),
                            ScriptedSource.Step.element("x", 10, 2_000),
                            ScriptedSource.Step.element("y", 20, 15_000)))))
            .apply("SideWindows", Window.into(FixedWindows.of(Duration.standardSeconds(10))))
            .apply(Values.create())
            .apply(View.asSingleton());
    p.apply(
            "Main",
            Read.from(
                new ScriptedSource(
                    List.of(
                        ScriptedSource.Step.element("a", 1, 1_000),
                        ScriptedSource.Step.element("b", 2, 12_000),
                        ScriptedSource.Step.watermark(30_000)))))
        .apply("MainWindows", Window.into(FixedWindows.of(Duration.standardSeconds(10))))
        .apply("See", ParDo.of(new SeeFn()))
        // The side-input stage gets its elements through an exchange, after See saw them.
        .apply(Reshuffle.viaRandomKey())
        .apply("Read", ParDo.of(new ReadSingletonFn(side, out.toString())).withSideInputs(side));

    String jobId = jobServer.client().submit(p, "side-input-waits");

    long deadline = System.nanoTime() + 120_000_000_000L;
    while (SEEN.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals("the main elements passed See", Set.of(1L, 2L), SEEN);
    // Not needed for the outcome: gives the elements time to reach the side-input stage first.
    Thread.sleep(1_000);
    assertTrue("nothing read a side input before it existed", READ_AT_NANOS.isEmpty());
    gateOpenedAtNanos = System.nanoTime();
    ScriptedSource.open("side");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 300));
    // Each element read its own window's value: window [0, 10 s) has x's 10, [10 s, 20 s) y's 20.
    assertEquals("a:10", Files.readString(out.resolve("1")));
    assertEquals("b:20", Files.readString(out.resolve("2")));
    for (long read : READ_AT_NANOS.values()) {
      assertTrue("read after the side input came", read > gateOpenedAtNanos);
    }
  }

  /**
   * The element's record with the number of side-input values of its key in its window; fails
   * once, in the harness, the first time it sees element {@code failAt}.
   */
  static final class CountSideValuesFn extends DoFn<KV<String, Long>, KV<String, String>> {
    private final PCollectionView<Map<String, Iterable<Long>>> side;
    private final long failAt;

    CountSideValuesFn(PCollectionView<Map<String, Iterable<Long>>> side, long failAt) {
      this.side = side;
      this.failAt = failAt;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      KV<String, Long> e = c.element();
      if (e.getValue() == failAt && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure at element " + failAt);
      }
      Iterable<Long> values = c.sideInput(side).get(e.getKey());
      long count = 0;
      if (values != null) {
        for (Long ignored : values) {
          count++;
        }
      }
      c.output(KV.of(e.getKey(), e.getValue() + "," + count));
    }
  }

  @Test
  public void waitingElementsAndSideInputContentsSurviveARestartFromACheckpoint()
      throws Exception {
    long total = 10_000;
    int keys = 10;
    Path out = tmp.newFolder("out").toPath();
    Pipeline p =
        Pipeline.create(
            options(
                "--checkpointingInterval=100",
                "--checkpointDir=" + tmp.newFolder("checkpoints").toURI(),
                "--executionRetryDelay=10"));
    // The side input comes slower than the main input, so main elements wait for its windows.
    PCollectionView<Map<String, Iterable<Long>>> side =
        p.apply("Side", Read.from(new SequenceSource(total, keys, 2, 1_000)))
            .apply("SideWindows", Window.into(FixedWindows.of(Duration.standardSeconds(1))))
            .apply(View.asMultimap());
    p.apply("Main", Read.from(new SequenceSource(total, keys, 2, 10_000)))
        .apply("MainWindows", Window.into(FixedWindows.of(Duration.standardSeconds(1))))
        .apply(
            "CountSideValues",
            ParDo.of(new CountSideValuesFn(side, total * 7 / 10)).withSideInputs(side))
        // A stable sink records only what a completed checkpoint covers: an element waiting in the
        // checkpoint the job restarts from, processed before the failure, is not recorded yet,
        // so it is lost unless the restored checkpoint had it.
        .apply("Sink", ParDo.of(new PortableStableInputTest.StableLedger(out.toString())));

    String jobId = jobServer.client().submit(p, "side-input-restart");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 300));
    assertTrue("the injected failure happened", FAILED.get());
    assertFalse("no reader resumed from a mark", SequenceSource.RESUMED_AT.isEmpty());
    // Element seq is at seq ms: its window of one second holds the side elements of the same
    // thousand numbers, a tenth of them of its key, once that window is complete.
    SinkFiles.Records records = SinkFiles.read(out, keys);
    long lost = 0;
    long wrong = 0;
    for (long seq = 0; seq < total; seq++) {
      Set<String> counts = records.thirdFieldBySeq.get(seq);
      if (counts == null) {
        lost++;
      } else if (!counts.equals(Set.of(Long.toString(1_000 / keys)))) {
        wrong++;
      }
    }
    System.out.println(
        "side inputs, restart from a checkpoint: lost=" + lost + " wrong=" + wrong + " lines="
            + records.lines + " resumedAt=" + SequenceSource.RESUMED_AT);
    assertEquals("lost", 0, lost);
    assertEquals("records with another count than a complete window's", 0, wrong);
  }

  /**
   * Counts its key's elements in a ValueState and emits {@code (key, "seq,count:sideValues")},
   * sideValues the number of side-input values of the key in the element's window; fails once,
   * in the harness, at element {@code failAt}.
   */
  static final class CountWithStateFn extends DoFn<KV<String, Long>, KV<String, String>> {
    @StateId("count")
    private final StateSpec<ValueState<Integer>> countSpec = StateSpecs.value(VarIntCoder.of());

    private final PCollectionView<Map<String, Iterable<Long>>> side;
    private final long failAt;

    CountWithStateFn(PCollectionView<Map<String, Iterable<Long>>> side, long failAt) {
      this.side = side;
      this.failAt = failAt;
    }

    @ProcessElement
    public void process(ProcessContext c, @StateId("count") ValueState<Integer> count) {
      KV<String, Long> e = c.element();
      if (e.getValue() == failAt && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure at element " + failAt);
      }
      Integer before = count.read();
      int now = before == null ? 1 : before + 1;
      count.write(now);
      long sideValues = 0;
      Iterable<Long> values = c.sideInput(side).get(e.getKey());
      if (values != null) {
        for (Long ignored : values) {
          sideValues++;
        }
      }
      c.output(KV.of(e.getKey(), e.getValue() + "," + now + ":" + sideValues));
    }
  }

  @Test
  public void aStatefulStageWithASideInputRestartsWithItsWaitingElementsInTheirKeyGroups()
      throws Exception {
    long total = 6_000;
    int keys = 10;
    Path out = tmp.newFolder("out").toPath();
    Pipeline p =
        Pipeline.create(
            options(
                "--checkpointingInterval=100",
                "--checkpointDir=" + tmp.newFolder("checkpoints").toURI(),
                "--executionRetryDelay=10"));
    PCollectionView<Map<String, Iterable<Long>>> side =
        p.apply("Side", Read.from(new SequenceSource(total, keys, 2, 1_000)))
            .apply("SideWindows", Window.into(FixedWindows.of(Duration.standardSeconds(1))))
            .apply(View.asMultimap());
    p.apply("Main", Read.from(new SequenceSource(total, keys, 2, 10_000)))
        .apply("MainWindows", Window.into(FixedWindows.of(Duration.standardSeconds(1))))
        .apply("CountWithState", ParDo.of(new CountWithStateFn(side, total * 7 / 10)).withSideInputs(side))
        .apply("Sink", ParDo.of(new PortableStableInputTest.StableLedger(out.toString())));

    String jobId = jobServer.client().submit(p, "stateful-side-input-restart");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 300));
    assertTrue("the injected failure happened", FAILED.get());
    // State is per key and window (of one second, a thousand numbers). A key's elements come in
    // order from one split and wait in order: element seq is the (seq % 1000 / keys + 1)-th of
    // its key in its window, applied to state once, and reads its complete side-input window.
    SinkFiles.Records records = SinkFiles.read(out, keys);
    long lost = 0;
    long wrong = 0;
    for (long seq = 0; seq < total; seq++) {
      Set<String> seen = records.thirdFieldBySeq.get(seq);
      if (seen == null) {
        lost++;
      } else if (!seen.equals(Set.of((seq % 1_000 / keys + 1) + ":" + 1_000 / keys))) {
        if (wrong++ < 5) {
          System.out.println("seq " + seq + ": " + seen);
        }
      }
    }
    System.out.println(
        "stateful stage with a side input, restart: lost=" + lost + " wrong=" + wrong
            + " lines=" + records.lines + " resumedAt=" + SequenceSource.RESUMED_AT);
    assertEquals("lost", 0, lost);
    assertEquals("records with another count", 0, wrong);
  }

  /** Writes the side input's singleton to a file. */
  static final class WriteCountFn extends DoFn<String, Void> {
    private final PCollectionView<Long> count;
    private final String dir;

    WriteCountFn(PCollectionView<Long> count, String dir) {
      this.count = count;
      this.dir = dir;
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      Files.writeString(Path.of(dir, c.element()), Long.toString(c.sideInput(count)));
    }
  }

  @Test
  public void aTriggeredSideInputIsReadOnceItsPaneHasCome() throws Exception {
    long total = 1_000;
    Path out = tmp.newFolder("out").toPath();
    Pipeline p = Pipeline.create(options());
    // As Beam's testOutputAfterCheckpoint: Count.globally of an unbounded PCollection that fires
    // only when its window ends, read through Combine's default-value side input and a singleton.
    PCollection<Long> values =
        p.apply("Side", Read.from(new SequenceSource(total, 4, 2, 20_000)))
            .apply(Values.create())
            .apply(Window.<Long>configure().triggering(Never.ever()).discardingFiredPanes());
    PCollectionView<Long> count = values.apply(Count.globally()).apply(View.asSingleton());
    p.apply("Main", Create.of("count"))
        .apply("Write", ParDo.of(new WriteCountFn(count, out.toString())).withSideInputs(count));

    String jobId = jobServer.client().submit(p, "triggered-side-input");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 300));
    assertEquals(Long.toString(total), Files.readString(out.resolve("count")));
  }
}
