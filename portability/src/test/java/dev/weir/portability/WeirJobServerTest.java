package dev.weir.portability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.pipeline.v1.MetricsApi;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.fn.harness.ExternalWorkerService;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.fn.server.GrpcFnServer;
import org.apache.beam.sdk.options.PortablePipelineOptions;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.StatusRuntimeException;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * Java pipelines submitted to the job server over the Job API, their user code running in an
 * EMBEDDED Java SDK harness, GroupByKey in Weir's engine.
 */
public class WeirJobServerTest {
  public final TemporaryFolder tmp = new TemporaryFolder();
  private final JobServerRule jobServer = new JobServerRule(tmp);
  @Rule public final RuleChain rules = RuleChain.outerRule(tmp).around(jobServer);

  private static PipelineOptions options() {
    return options("EMBEDDED");
  }

  private static PipelineOptions options(String environmentType) {
    return options(environmentType, "--stateBackend=memory");
  }

  private static PipelineOptions options(String environmentType, String... more) {
    return PipelineOptionsFactory.fromArgs(
            Stream.concat(
                    Stream.of(
                        // The submitter needs some runner to make a Pipeline; the job server
                        // ignores it.
                        "--runner=WeirRunner",
                        "--defaultEnvironmentType=" + environmentType,
                        "--parallelism=2"),
                    Stream.of(more))
                .toArray(String[]::new))
        .create();
  }

  /** Splits "word:n" into KV(word, n), counting what it saw. */
  static class ParseFn extends DoFn<String, KV<String, Long>> {
    private final Counter parsed = Metrics.counter("weir-test", "parsed");

    @ProcessElement
    public void process(@Element String line, OutputReceiver<KV<String, Long>> out) {
      parsed.inc();
      String[] parts = line.split(":");
      out.output(KV.of(parts[0], Long.parseLong(parts[1])));
    }
  }

  /** Writes each key's sum to a file named after the key: the job's visible result. */
  static class WriteSumFn extends DoFn<KV<String, Iterable<Long>>, Void> {
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
      Files.write(
          Path.of(dir, group.getKey()),
          Long.toString(sum).getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Writes each key's sum plus a singleton side input and the key's entry of a map side input. */
  static class WriteWithSidesFn extends DoFn<KV<String, Iterable<Long>>, Void> {
    private final String dir;
    private final PCollectionView<Long> offset;
    private final PCollectionView<Map<String, Long>> bonus;

    WriteWithSidesFn(
        String dir, PCollectionView<Long> offset, PCollectionView<Map<String, Long>> bonus) {
      this.dir = dir;
      this.offset = offset;
      this.bonus = bonus;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Long>> group, ProcessContext c)
        throws IOException {
      long sum = c.sideInput(offset) + c.sideInput(bonus).getOrDefault(group.getKey(), 0L);
      for (long v : group.getValue()) {
        sum += v;
      }
      Files.write(
          Path.of(dir, group.getKey()), Long.toString(sum).getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Counts each key's elements in a ValueState and writes the count so far to the key's file. */
  static class CountPerKeyFn extends DoFn<KV<String, Long>, Void> {
    private final String dir;

    @StateId("count")
    private final StateSpec<ValueState<Long>> countSpec = StateSpecs.value(VarLongCoder.of());

    CountPerKeyFn(String dir) {
      this.dir = dir;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Long> element, @StateId("count") ValueState<Long> count)
        throws IOException {
      Long before = count.read();
      long now = (before == null ? 0 : before) + 1;
      count.write(now);
      Files.write(
          Path.of(dir, element.getKey()), Long.toString(now).getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Sums each key's values in state; an event-time timer (at 1 s, past every element) emits the
   * sum as "event", and a processing-time timer an hour ahead emits it as "processing".
   */
  static class SumOnTimersFn extends DoFn<KV<String, Long>, KV<String, String>> {
    @StateId("sum")
    private final StateSpec<ValueState<Long>> sumSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("event")
    private final TimerSpec eventSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @TimerId("processing")
    private final TimerSpec processingSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

    @ProcessElement
    public void process(
        @Element KV<String, Long> element,
        @StateId("sum") ValueState<Long> sum,
        @TimerId("event") Timer event,
        @TimerId("processing") Timer processing) {
      Long before = sum.read();
      sum.write((before == null ? 0 : before) + element.getValue());
      event.set(new Instant(1000));
      processing.offset(Duration.standardHours(1)).setRelative();
    }

    @OnTimer("event")
    public void onEvent(
        @Key String key,
        @Timestamp Instant timestamp,
        @StateId("sum") ValueState<Long> sum,
        OutputReceiver<KV<String, String>> out) {
      out.output(KV.of(key + ".event", sum.read() + "@" + timestamp.getMillis()));
    }

    @OnTimer("processing")
    public void onProcessing(
        @Key String key,
        @StateId("sum") ValueState<Long> sum,
        OutputReceiver<KV<String, String>> out) {
      out.output(KV.of(key + ".processing", Long.toString(sum.read())));
    }
  }

  /**
   * An event-time timer that sets itself again a second later until it has fired three times per
   * key, emitting "firings@timestamp" each time.
   */
  static class LoopingTimerFn extends DoFn<KV<String, Long>, KV<String, String>> {
    @StateId("firings")
    private final StateSpec<ValueState<Long>> firingsSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("loop")
    private final TimerSpec loopSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @ProcessElement
    public void process(@TimerId("loop") Timer loop) {
      loop.set(new Instant(1000));
    }

    @OnTimer("loop")
    public void onLoop(
        @Key String key,
        @Timestamp Instant timestamp,
        @StateId("firings") ValueState<Long> firings,
        @TimerId("loop") Timer loop,
        OutputReceiver<KV<String, String>> out) {
      Long before = firings.read();
      long now = (before == null ? 0 : before) + 1;
      firings.write(now);
      out.output(KV.of(key, now + "@" + timestamp.getMillis()));
      if (now < 3) {
        loop.set(timestamp.plus(Duration.standardSeconds(1)));
      }
    }
  }

  /**
   * Counts each key's elements per window in state; a timer at the window's end emits
   * "key-windowStart" with the count. (Its state's cleanup is due in the same instant; that the
   * timer runs first is not visible here, as the Java harness caches user state across bundles.)
   */
  static class CountPerWindowFn extends DoFn<KV<String, Long>, KV<String, String>> {
    @StateId("count")
    private final StateSpec<ValueState<Long>> countSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("end")
    private final TimerSpec endSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @ProcessElement
    public void process(
        BoundedWindow window,
        @StateId("count") ValueState<Long> count,
        @TimerId("end") Timer end) {
      Long before = count.read();
      count.write((before == null ? 0 : before) + 1);
      end.set(window.maxTimestamp());
    }

    @OnTimer("end")
    public void onEnd(
        @Key String key,
        BoundedWindow window,
        @StateId("count") ValueState<Long> count,
        OutputReceiver<KV<String, String>> out) {
      out.output(
          KV.of(
              key + "-" + ((IntervalWindow) window).start().getMillis(),
              Long.toString(count.read())));
    }
  }

  /** Writes each element's value to a file named after its key. */
  static class WriteValueFn extends DoFn<KV<String, String>, Void> {
    private final String dir;

    WriteValueFn(String dir) {
      this.dir = dir;
    }

    @ProcessElement
    public void process(@Element KV<String, String> element) throws IOException {
      Files.write(
          Path.of(dir, element.getKey()), element.getValue().getBytes(StandardCharsets.UTF_8));
    }
  }

  static class FailingFn extends DoFn<KV<String, Iterable<Long>>, Void> {
    @ProcessElement
    public void process(@Element KV<String, Iterable<Long>> group) {
      throw new IllegalStateException("user code refuses key " + group.getKey());
    }
  }

  @Test
  public void createParDoGroupByKeyRunsToDoneWithItsResultAndCounters() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Pipeline p = Pipeline.create(options());
    p.apply(Create.of("a:1", "b:2", "a:3", "c:4", "b:5", "a:6"))
        .apply("Parse", ParDo.of(new ParseFn()))
        .apply(GroupByKey.create())
        .apply("WriteSums", ParDo.of(new WriteSumFn(out.toString())));

    String jobId = jobServer.client().submit(p, "sums");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
    Map<String, String> sums = new TreeMap<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path f : files.collect(Collectors.toList())) {
        sums.put(f.getFileName().toString(), Files.readString(f));
      }
    }
    assertEquals(Map.of("a", "10", "b", "7", "c", "4"), sums);
    assertEquals(6L, userCounter(jobServer.client().metrics(jobId).getAttemptedList(), "parsed"));
  }

  /**
   * Runs the Parse, GroupByKey and WriteSums job over {@code inputs} with its harnesses in a worker
   * pool of this process, as PortableRunner does for LOOPBACK: the job server asks the pool over the
   * Fn API's StartWorker to start harnesses that call back. Returns the job's id once it is DONE.
   */
  private String runSumsInThisProcessesWorkerPool(
      PipelineOptions options, Path out, String jobName, String... inputs) throws Exception {
    ExternalWorkerService pool = new ExternalWorkerService(options);
    try (GrpcFnServer<ExternalWorkerService> poolServer = pool.start()) {
      options
          .as(PortablePipelineOptions.class)
          .setDefaultEnvironmentConfig(poolServer.getApiServiceDescriptor().getUrl());
      Pipeline p = Pipeline.create(options);
      p.apply(Create.of(Arrays.asList(inputs)))
          .apply("Parse", ParDo.of(new ParseFn()))
          .apply(GroupByKey.create())
          .apply("WriteSums", ParDo.of(new WriteSumFn(out.toString())));

      String jobId = jobServer.client().submit(p, jobName);

      assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
      return jobId;
    }
  }

  @Test
  public void loopbackRunsTheUserCodeInTheSubmittersWorkerPool() throws Exception {
    Path out = tmp.newFolder("out").toPath();

    String jobId =
        runSumsInThisProcessesWorkerPool(options("EXTERNAL"), out, "loopback", "x:5", "y:1", "x:2");

    assertEquals("7", Files.readString(out.resolve("x")));
    assertEquals("1", Files.readString(out.resolve("y")));
    assertEquals(3L, userCounter(jobServer.client().metrics(jobId).getAttemptedList(), "parsed"));
  }

  @Test
  public void aJobsStagedArtifactsAreDeletedWhenItEnds() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Path library = tmp.newFile("library.jar").toPath();
    Files.write(library, new byte[64 * 1024]);

    runSumsInThisProcessesWorkerPool(
        options("EXTERNAL", "--filesToStage=" + library), out, "staged", "x:5", "y:1");

    assertEquals("5", Files.readString(out.resolve("x")));
    // A long-lived job server runs many jobs: each one's staged copies go when it ends (the
    // portable test suite once left 16 GB of them behind).
    try (Stream<Path> left = Files.walk(jobServer.artifacts())) {
      assertEquals(
          List.of(), left.filter(Files::isRegularFile).collect(Collectors.toList()));
    }
  }

  @Test
  public void processEnvironmentStartsTheHarnessCommandWithTheBootMain() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    // The command a user would write: the boot main on a classpath holding the pipeline's classes.
    Path command = tmp.getRoot().toPath().resolve("java-harness.sh");
    Files.writeString(
        command,
        "#!/bin/sh\nexec '"
            + Path.of(System.getProperty("java.home"), "bin", "java")
            + "' -cp '"
            + System.getProperty("java.class.path")
            + "' "
            + JavaHarnessBoot.class.getName()
            + " \"$@\"\n");
    assertTrue(command.toFile().setExecutable(true));
    PipelineOptions options = options("PROCESS");
    options
        .as(PortablePipelineOptions.class)
        .setDefaultEnvironmentConfig("{\"command\": \"" + command + "\"}");
    Pipeline p = Pipeline.create(options);
    p.apply(Create.of("m:4", "n:8", "m:1"))
        .apply("Parse", ParDo.of(new ParseFn()))
        .apply(GroupByKey.create())
        .apply("WriteSums", ParDo.of(new WriteSumFn(out.toString())));

    String jobId = jobServer.client().submit(p, "process");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 300));
    assertEquals("5", Files.readString(out.resolve("m")));
    assertEquals("8", Files.readString(out.resolve("n")));
    assertEquals(3L, userCounter(jobServer.client().metrics(jobId).getAttemptedList(), "parsed"));
  }

  @Test
  public void singletonAndMapSideInputsAreAnsweredFromTheirBroadcastEdges() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Pipeline p = Pipeline.create(options());
    PCollectionView<Long> offset = p.apply("Offset", Create.of(100L)).apply(View.asSingleton());
    PCollectionView<Map<String, Long>> bonus =
        p.apply("Bonus", Create.of(KV.of("a", 1000L), KV.of("b", 2000L))).apply(View.asMap());
    p.apply(Create.of("a:1", "b:2", "a:3", "c:5"))
        .apply("Parse", ParDo.of(new ParseFn()))
        .apply(GroupByKey.create())
        .apply(
            "WriteWithSides",
            ParDo.of(new WriteWithSidesFn(out.toString(), offset, bonus))
                .withSideInputs(offset, bonus));

    String jobId = jobServer.client().submit(p, "sides");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
    assertEquals("1104", Files.readString(out.resolve("a")));
    assertEquals("2102", Files.readString(out.resolve("b")));
    assertEquals("105", Files.readString(out.resolve("c")));
  }

  @Test
  public void userStateOfAStatefulDoFnIsKeptPerKeyInWeirsRocksDbStateBackend() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Pipeline p =
        Pipeline.create(
            options(
                "EMBEDDED",
                "--stateBackend=rocksdb",
                "--stateDirectory=" + tmp.newFolder("state")));
    p.apply(Create.of("a:1", "b:1", "a:1", "c:1", "a:1", "b:1"))
        .apply("Parse", ParDo.of(new ParseFn()))
        .apply("Count", ParDo.of(new CountPerKeyFn(out.toString())));

    String jobId = jobServer.client().submit(p, "stateful");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
    assertEquals("3", Files.readString(out.resolve("a")));
    assertEquals("2", Files.readString(out.resolve("b")));
    assertEquals("1", Files.readString(out.resolve("c")));
  }

  @Test
  public void eventAndProcessingTimeTimersOfAStatefulDoFnFireFromWeirsRocksDbTimers()
      throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Pipeline p =
        Pipeline.create(
            options(
                "EMBEDDED",
                "--stateBackend=rocksdb",
                "--stateDirectory=" + tmp.newFolder("state")));
    p.apply(
            Create.timestamped(
                TimestampedValue.of("a:1", new Instant(100)),
                TimestampedValue.of("b:5", new Instant(200)),
                TimestampedValue.of("a:2", new Instant(300))))
        .apply("Parse", ParDo.of(new ParseFn()))
        .apply("SumOnTimers", ParDo.of(new SumOnTimersFn()))
        .apply("Write", ParDo.of(new WriteValueFn(out.toString())));

    String jobId = jobServer.client().submit(p, "timers");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
    // Each timer fired once per key, after all of the key's elements, at its own timestamp.
    assertEquals("3@1000", Files.readString(out.resolve("a.event")));
    assertEquals("5@1000", Files.readString(out.resolve("b.event")));
    assertEquals("3", Files.readString(out.resolve("a.processing")));
    assertEquals("5", Files.readString(out.resolve("b.processing")));
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(4, files.count());
    }
  }

  @Test
  public void aTimerThatSetsItselfAgainFiresUntilItStops() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Pipeline p = Pipeline.create(options());
    p.apply(Create.of("a:1", "b:1"))
        .apply("Parse", ParDo.of(new ParseFn()))
        .apply("Loop", ParDo.of(new LoopingTimerFn()))
        .apply("Write", ParDo.of(new WriteValueFn(out.toString())));

    String jobId = jobServer.client().submit(p, "looping-timer");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
    // The last of three firings, each a second after the one before.
    assertEquals("3@3000", Files.readString(out.resolve("a")));
    assertEquals("3@3000", Files.readString(out.resolve("b")));
  }

  @Test
  public void stateAndTimersOfAWindowedStatefulDoFnArePerWindow() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Pipeline p = Pipeline.create(options());
    p.apply(
            Create.timestamped(
                TimestampedValue.of("a:1", new Instant(1000)),
                TimestampedValue.of("a:1", new Instant(2000)),
                TimestampedValue.of("a:1", new Instant(11000)),
                TimestampedValue.of("b:1", new Instant(3000))))
        .apply("Parse", ParDo.of(new ParseFn()))
        .apply(Window.into(FixedWindows.of(Duration.standardSeconds(10))))
        .apply("CountPerWindow", ParDo.of(new CountPerWindowFn()))
        .apply("Write", ParDo.of(new WriteValueFn(out.toString())));

    String jobId = jobServer.client().submit(p, "windowed-state");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
    assertEquals("2", Files.readString(out.resolve("a-0")));
    assertEquals("1", Files.readString(out.resolve("a-10000")));
    assertEquals("1", Files.readString(out.resolve("b-0")));
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(3, files.count());
    }
  }

  @Test
  public void flattenOfTwoStagesAndReshuffleRunInTheEngine() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Pipeline p = Pipeline.create(options());
    PCollection<String> left = p.apply("Left", Create.of("a:1", "b:2"));
    PCollection<String> right = p.apply("Right", Create.of("a:10", "c:3"));
    PCollectionList.of(left)
        .and(right)
        .apply(Flatten.pCollections())
        .apply(Reshuffle.viaRandomKey())
        .apply("Parse", ParDo.of(new ParseFn()))
        .apply(GroupByKey.create())
        .apply("WriteSums", ParDo.of(new WriteSumFn(out.toString())));

    String jobId = jobServer.client().submit(p, "flatten");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
    assertEquals("11", Files.readString(out.resolve("a")));
    assertEquals("2", Files.readString(out.resolve("b")));
    assertEquals("3", Files.readString(out.resolve("c")));
  }

  @Test
  public void aFailingDoFnFailsTheJobWithTheUsersMessage() throws Exception {
    Pipeline p = Pipeline.create(options());
    p.apply(Create.of("a:1", "b:2"))
        .apply("Parse", ParDo.of(new ParseFn()))
        .apply(GroupByKey.create())
        .apply("Fail", ParDo.of(new FailingFn()));

    String jobId = jobServer.client().submit(p, "failing");

    assertEquals(JobApi.JobState.Enum.FAILED, jobServer.client().awaitEnd(jobId, 180));
    List<String> errors =
        jobServer.client().messages(jobId).stream()
            .filter(JobApi.JobMessagesResponse::hasMessageResponse)
            .map(m -> m.getMessageResponse().getMessageText())
            .collect(Collectors.toList());
    assertEquals(1, errors.size());
    assertThat(errors.get(0), containsString("user code refuses key"));
    List<JobApi.JobState.Enum> states =
        jobServer.client().messages(jobId).stream()
            .filter(JobApi.JobMessagesResponse::hasStateResponse)
            .map(m -> m.getStateResponse().getState())
            .collect(Collectors.toList());
    assertThat(states, hasItem(JobApi.JobState.Enum.RUNNING));
    assertEquals(JobApi.JobState.Enum.FAILED, states.get(states.size() - 1));
  }

  @Test
  public void aDockerEnvironmentIsRefusedAtPrepareWhenNoDockerIsInstalled() throws Exception {
    Pipeline p = Pipeline.create(options("DOCKER"));
    p.apply(Create.of("a:1")).apply("Parse", ParDo.of(new ParseFn()));

    try {
      jobServer.client().submit(p, "docker");
      throw new AssertionError("Prepare accepted a DOCKER environment without docker");
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getDescription(), containsString("no docker binary"));
      assertThat(e.getStatus().getDescription(), containsString("LOOPBACK"));
    }
  }

  private static long userCounter(List<MetricsApi.MonitoringInfo> infos, String name) {
    long total = 0;
    boolean found = false;
    for (MetricsApi.MonitoringInfo info : infos) {
      if (info.getUrn().equals(MonitoringInfoConstants.Urns.USER_SUM_INT64)
          && name.equals(info.getLabelsMap().get(MonitoringInfoConstants.Labels.NAME))) {
        try {
          total += VarLongCoder.of().decode(info.getPayload().newInput());
        } catch (IOException e) {
          throw new AssertionError(e);
        }
        found = true;
      }
    }
    assertTrue("no counter " + name + " in " + infos, found);
    return total;
  }
}
