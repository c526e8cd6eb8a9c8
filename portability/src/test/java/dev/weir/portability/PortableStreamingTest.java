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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.sdk.Pipeline;
import java.io.Serializable;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.model.pipeline.v1.MetricsApi;
import org.apache.beam.runners.core.StatefulDoFnRunner;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.joda.time.Duration;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * Streaming Java pipelines through the job server: an unbounded source read natively by the
 * engine (a primitive Read, {@code use_deprecated_read}), a stateful DoFn with user state and
 * event-time timers in an EMBEDDED harness, RocksDB state.
 */
public class PortableStreamingTest {
  private static final AtomicBoolean FAILED = new AtomicBoolean();

  public final TemporaryFolder tmp = new TemporaryFolder();
  private final JobServerRule jobServer = new JobServerRule(tmp);
  @Rule public final RuleChain rules = RuleChain.outerRule(tmp).around(jobServer);

  @Before
  public void resetTheTestsStaticState() {
    SequenceSource.RESUMED_AT.clear();
    FAILED.set(false);
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

  /**
   * Counts each key's elements in a ValueState and keeps each element with its count in a bag until
   * an event-time timer at the element's timestamp fires; then emits {@code (key, "seq,count")}.
   * What it emits depends only on the state it met, so a replay from a consistent checkpoint emits
   * the same records again and an element applied to state twice shows up as a different count.
   */
  static final class CountThenEmitFn extends DoFn<KV<String, Long>, KV<String, String>> {
    @StateId("count")
    private final StateSpec<ValueState<Integer>> countSpec = StateSpecs.value(VarIntCoder.of());

    @StateId("pending")
    private final StateSpec<BagState<String>> pendingSpec = StateSpecs.bag(StringUtf8Coder.of());

    @TimerId("emit")
    private final TimerSpec emitSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @ProcessElement
    public void process(
        @Element KV<String, Long> element,
        @Timestamp Instant timestamp,
        @StateId("count") ValueState<Integer> count,
        @StateId("pending") BagState<String> pending,
        @TimerId("emit") Timer emit) {
      Integer before = count.read();
      int now = before == null ? 1 : before + 1;
      count.write(now);
      pending.add(element.getValue() + "," + now);
      emit.set(timestamp);
    }

    @OnTimer("emit")
    public void onEmit(
        @Key String key,
        @StateId("pending") BagState<String> pending,
        OutputReceiver<KV<String, String>> out) {
      for (String seqAndCount : pending.read()) {
        out.output(KV.of(key, seqAndCount));
      }
      pending.clear();
    }
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

  /** Appends {@code key,seq,count} lines to a file of its own, flushed at each bundle's end. */
  static final class LineSink extends DoFn<KV<String, String>, Void> {
    private final String directory;
    private transient BufferedWriter writer;

    LineSink(String directory) {
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

    @ProcessElement
    public void process(@Element KV<String, String> record) throws IOException {
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

  /**
   * What the sinks wrote, against the source: every element's record is there, every record of an
   * element says the same count (an element applied to state twice would not), and that count is
   * the one an uninterrupted run gives (element {@code seq} is the {@code seq / keys + 1}-th of its
   * key: a key's elements come from one split, in order, when {@code keys} is a multiple of the
   * splits).
   */
  static final class Judged {
    final long lost;
    final long inconsistent;
    final long wrongCounts;
    final long lines;

    Judged(Path directory, long total, int keys) throws IOException {
      SinkFiles.Records records = SinkFiles.read(directory, keys);
      Map<Long, Set<String>> counts = records.thirdFieldBySeq;
      long read = records.lines;
      long missing = 0;
      long disagreeing = 0;
      long wrong = 0;
      for (long seq = 0; seq < total; seq++) {
        Set<String> seen = counts.get(seq);
        if (seen == null) {
          missing++;
        } else if (seen.size() > 1) {
          disagreeing++;
        } else if (!seen.contains(Long.toString(seq / keys + 1))) {
          wrong++;
        }
      }
      this.lost = missing;
      this.inconsistent = disagreeing;
      this.wrongCounts = wrong;
      this.lines = read;
    }

    boolean exactlyOnce() {
      return lost == 0 && inconsistent == 0 && wrongCounts == 0;
    }

    @Override
    public String toString() {
      return "lost=" + lost + " inconsistent=" + inconsistent + " wrongCounts=" + wrongCounts
          + " lines=" + lines;
    }
  }

  @Test
  public void anUnboundedSourceReadByTheEngineFeedsUserStateAndEventTimeTimersInRocksDb()
      throws Exception {
    long total = 2_000;
    int keys = 20;
    Path out = tmp.newFolder("out").toPath();
    Pipeline p = Pipeline.create(options());
    p.apply(Read.from(new SequenceSource(total, keys, 2, 20_000)))
        .apply("CountThenEmit", ParDo.of(new CountThenEmitFn()))
        .apply("Sink", ParDo.of(new LineSink(out.toString())));

    String jobId = jobServer.client().submit(p, "streaming-state");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 300));
    Judged judged = new Judged(out, total, keys);
    assertTrue(judged.toString(), judged.exactlyOnce());
    // Without failures every element is emitted once.
    assertEquals(judged.toString(), total, judged.lines);
  }

  @Test
  public void aFailureInTheHarnessRestartsTheJobFromItsLastCheckpointWithUserStateAndTimersRestored()
      throws Exception {
    long total = 20_000;
    int keys = 20;
    Path out = tmp.newFolder("out").toPath();
    Pipeline p =
        Pipeline.create(
            options(
                "--checkpointingInterval=100",
                "--checkpointDir=" + tmp.newFolder("checkpoints").toURI(),
                "--executionRetryDelay=10"));
    p.apply(Read.from(new SequenceSource(total, keys, 2, 4_000)))
        .apply("FailOnce", ParDo.of(new FailOnceFn(total / 2)))
        .apply("CountThenEmit", ParDo.of(new CountThenEmitFn()))
        .apply("Sink", ParDo.of(new LineSink(out.toString())));

    String jobId = jobServer.client().submit(p, "streaming-restart");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 300));
    assertTrue("the injected failure happened", FAILED.get());
    // The readers resumed from checkpoint marks past their start: a restore, not a rerun.
    assertFalse("no reader resumed from a mark", SequenceSource.RESUMED_AT.isEmpty());
    assertTrue(
        String.valueOf(SequenceSource.RESUMED_AT),
        SequenceSource.RESUMED_AT.stream().allMatch(next -> next > 1));
    Judged judged = new Judged(out, total, keys);
    System.out.println("restart from a checkpoint: " + judged + " resumedAt=" + SequenceSource.RESUMED_AT);
    assertTrue(judged.toString(), judged.exactlyOnce());
  }

  private static final AtomicInteger FIRST_WINDOW_FIRINGS = new AtomicInteger();

  /**
   * Counts each key's elements per window in state; a timer at the window's end emits {@code
   * ("key-windowStart", count)}. Once the first window's timers of keys a and b have both fired
   * (so the watermark at both subtasks has passed that window), it opens the source's gate "late".
   */
  static final class CountPerWindowFn extends DoFn<KV<String, Long>, KV<String, String>> {
    @StateId("count")
    private final StateSpec<ValueState<Integer>> countSpec = StateSpecs.value(VarIntCoder.of());

    @TimerId("end")
    private final TimerSpec endSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @ProcessElement
    public void process(
        BoundedWindow window,
        @StateId("count") ValueState<Integer> count,
        @TimerId("end") Timer end) {
      Integer before = count.read();
      count.write(before == null ? 1 : before + 1);
      end.set(window.maxTimestamp());
    }

    @OnTimer("end")
    public void onEnd(
        @Key String key,
        BoundedWindow window,
        @StateId("count") ValueState<Integer> count,
        OutputReceiver<KV<String, String>> out) {
      long start = ((IntervalWindow) window).start().getMillis();
      out.output(KV.of(key + "-" + start, Integer.toString(count.read())));
      if (start == 0 && FIRST_WINDOW_FIRINGS.incrementAndGet() == 2) {
        ScriptedSource.open("late");
      }
    }
  }

  /** Writes each element's value to a file named after its key. */
  static final class WriteValueFn extends DoFn<KV<String, String>, Void> {
    private final String dir;

    WriteValueFn(String dir) {
      this.dir = dir;
    }

    @ProcessElement
    public void process(@Element KV<String, String> element) throws IOException {
      Files.writeString(Path.of(dir, element.getKey()), element.getValue());
    }
  }

  @Test
  public void elementsOfAnExpiredWindowAreDroppedBeforeTheHarnessAndCounted() throws Exception {
    FIRST_WINDOW_FIRINGS.set(0);
    ScriptedSource.reset("late");
    Path out = tmp.newFolder("out").toPath();
    Pipeline p = Pipeline.create(options());
    p.apply(
            Read.from(
                new ScriptedSource(
                    List.of(
                        ScriptedSource.Step.element("a", 1, 1_000),
                        ScriptedSource.Step.element("a", 1, 2_000),
                        ScriptedSource.Step.element("b", 1, 3_000),
                        ScriptedSource.Step.watermark(15_000),
                        // Until window [0, 10 s) has fired for a and b: the watermark passed it.
                        ScriptedSource.Step.gate("late"),
                        ScriptedSource.Step.element("a", 1, 4_000),
                        ScriptedSource.Step.element("b", 1, 5_000),
                        ScriptedSource.Step.element("c", 1, 16_000)))))
        .apply(Window.into(FixedWindows.of(Duration.standardSeconds(10))))
        .apply("CountPerWindow", ParDo.of(new CountPerWindowFn()))
        .apply("Write", ParDo.of(new WriteValueFn(out.toString())));

    String jobId = jobServer.client().submit(p, "late-data");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 300));
    // The late elements of a and b changed nothing: no second firing with a higher count.
    assertEquals("2", Files.readString(out.resolve("a-0")));
    assertEquals("1", Files.readString(out.resolve("b-0")));
    assertEquals("1", Files.readString(out.resolve("c-10000")));
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(3, files.count());
    }
    assertEquals(2, FIRST_WINDOW_FIRINGS.get());
    assertEquals(
        2L,
        counter(
            jobServer.client().metrics(jobId).getAttemptedList(),
            StatefulDoFnRunner.DROPPED_DUE_TO_LATENESS_COUNTER));
  }

  private static long counter(List<MetricsApi.MonitoringInfo> infos, String name)
      throws IOException {
    long total = 0;
    boolean found = false;
    for (MetricsApi.MonitoringInfo info : infos) {
      if (info.getUrn().equals(MonitoringInfoConstants.Urns.USER_SUM_INT64)
          && name.equals(info.getLabelsMap().get(MonitoringInfoConstants.Labels.NAME))) {
        total += VarLongCoder.of().decode(info.getPayload().newInput());
        found = true;
      }
    }
    assertTrue("no counter " + name + " in " + infos, found);
    return total;
  }

  /** A value only Java's SerializableCoder knows: the runner side sees it as length-prefixed bytes. */
  static final class Entry implements Serializable {
    private static final long serialVersionUID = 1L;
    final String word;
    final long n;

    Entry(String word, long n) {
      this.word = word;
      this.n = n;
    }
  }

  static final class EntryToKv extends DoFn<Entry, KV<String, Long>> {
    @ProcessElement
    public void process(@Element Entry e, OutputReceiver<KV<String, Long>> out) {
      out.output(KV.of(e.word, e.n));
    }
  }

  static final class WriteSumFn extends DoFn<KV<String, Iterable<Long>>, Void> {
    private final String dir;

    WriteSumFn(String dir) {
      this.dir = dir;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Long>> group) throws IOException {
      long sum = 0;
      for (long v : group.getValue()) {
        sum += v;
      }
      Files.writeString(Path.of(dir, group.getKey()), Long.toString(sum));
    }
  }

  @Test
  public void aBoundedReadOfValuesInAJavaOnlyCoderRunsNativelyToo() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Pipeline p = Pipeline.create(options());
    p.apply(
            Create.of(new Entry("a", 1), new Entry("b", 2), new Entry("a", 3))
                .withCoder(SerializableCoder.of(Entry.class)))
        .apply("ToKv", ParDo.of(new EntryToKv()))
        .apply(GroupByKey.create())
        .apply("WriteSums", ParDo.of(new WriteSumFn(out.toString())));

    String jobId = jobServer.client().submit(p, "bounded-read");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 300));
    assertEquals("4", Files.readString(out.resolve("a")));
    assertEquals("2", Files.readString(out.resolve("b")));
  }
}
