package dev.weir.portability;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.splittabledofn.OffsetRangeTracker;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * Splittable DoFns that checkpoint themselves (the harness hands back residuals, which Weir keeps
 * in the stage's keyed state and resumes from processing-time timers), and bundle finalization
 * (Weir asks the harness to finalize a bundle once its output is committed).
 */
public class SplittableDoFnJobTest {
  public final TemporaryFolder tmp = new TemporaryFolder();
  private final JobServerRule jobServer = new JobServerRule(tmp);
  @Rule public final RuleChain rules = RuleChain.outerRule(tmp).around(jobServer);

  private PipelineOptions options(String... more) throws IOException {
    return PipelineOptionsFactory.fromArgs(
            Stream.concat(
                    Stream.of(
                        "--runner=WeirRunner",
                        "--defaultEnvironmentType=EMBEDDED",
                        "--parallelism=2",
                        "--stateBackend=rocksdb",
                        "--stateDirectory=" + tmp.newFolder()),
                    Stream.of(more))
                .toArray(String[]::new))
        .create();
  }

  /**
   * Pairs an element with each index below its length, resuming (a self-checkpoint: the harness
   * hands back the rest as a residual) after every {@code claimsPerCall} claims.
   */
  abstract static class IndexPairs extends DoFn<String, KV<String, Long>> {
    private final int claimsPerCall;

    IndexPairs(int claimsPerCall) {
      this.claimsPerCall = claimsPerCall;
    }

    @ProcessElement
    public ProcessContinuation process(
        @Element String element,
        RestrictionTracker<OffsetRange, Long> tracker,
        OutputReceiver<KV<String, Long>> out) {
      int claims = 0;
      for (long i = tracker.currentRestriction().getFrom(); tracker.tryClaim(i); i++) {
        out.output(KV.of(element, i));
        if (++claims == claimsPerCall) {
          return ProcessContinuation.resume().withResumeDelay(Duration.millis(5));
        }
      }
      return ProcessContinuation.stop();
    }

    @GetInitialRestriction
    public OffsetRange initialRestriction(@Element String element) {
      return new OffsetRange(0, element.length());
    }

    @NewTracker
    public OffsetRangeTracker newTracker(@Restriction OffsetRange restriction) {
      return new OffsetRangeTracker(restriction);
    }
  }

  @DoFn.BoundedPerElement
  static class PairWithIndexFn extends IndexPairs {
    PairWithIndexFn(int claimsPerCall) {
      super(claimsPerCall);
    }
  }

  @DoFn.UnboundedPerElement
  static class UnboundedPairWithIndexFn extends IndexPairs {
    UnboundedPairWithIndexFn(int claimsPerCall) {
      super(claimsPerCall);
    }
  }

  /** Appends each index to a file named after its element (synchronized: bundles run in parallel). */
  static class AppendIndexFn extends DoFn<KV<String, Long>, Void> {
    private final String dir;

    AppendIndexFn(String dir) {
      this.dir = dir;
    }

    @ProcessElement
    public void process(@Element KV<String, Long> indexed) throws IOException {
      synchronized (AppendIndexFn.class) {
        Files.writeString(
            Path.of(dir, indexed.getKey()),
            indexed.getValue() + "\n",
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    }
  }

  private static List<String> elements() {
    List<String> elements = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      elements.add("e" + i + "-" + "x".repeat(i));
    }
    return elements;
  }

  private static String indices(int length) {
    return Stream.iterate(0L, i -> i + 1)
        .limit(length)
        .map(String::valueOf)
        .collect(Collectors.joining(","));
  }

  private void assertEveryIndexOnce(Path out) throws IOException {
    for (String element : elements()) {
      List<Long> written = new ArrayList<>();
      for (String line : Files.readAllLines(out.resolve(element))) {
        written.add(Long.parseLong(line));
      }
      Collections.sort(written);
      assertEquals(
          element,
          indices(element.length()),
          written.stream().map(String::valueOf).collect(Collectors.joining(",")));
    }
  }

  @Test
  public void aSplittableDoFnThatResumesAfterEveryFewClaimsOutputsEveryIndexOnce()
      throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Pipeline p = Pipeline.create(options());
    p.apply(Create.of(elements()))
        .apply("PairWithIndex", ParDo.of(new PairWithIndexFn(3)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
        .apply("Write", ParDo.of(new AppendIndexFn(out.toString())));

    String jobId = jobServer.client().submit(p, "sdf-resume");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
    assertEveryIndexOnce(out);
  }

  @Test
  public void anUnboundedSplittableDoFnResumesFromResidualsKeptInCheckpointedRocksDbState()
      throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Pipeline p = Pipeline.create(options("--checkpointingInterval=100", "--checkpointDir=" + tmp.newFolder().toURI()));
    p.apply(Create.of(elements()))
        .apply("PairWithIndex", ParDo.of(new UnboundedPairWithIndexFn(2)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
        .apply("Write", ParDo.of(new AppendIndexFn(out.toString())));

    String jobId = jobServer.client().submit(p, "sdf-resume-checkpointed");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
    assertEveryIndexOnce(out);
  }

  static final AtomicBoolean FAILED = new AtomicBoolean();
  // Where the restrictions processed after the injected failure started.
  static final Set<Long> STARTS_AFTER_FAILURE = ConcurrentHashMap.newKeySet();

  /**
   * Pairs each element with 0 to 399, two claims a call, resuming 20 ms later; fails once, in the
   * harness, when element "e0" has come to index 200 (four seconds at least, past many
   * checkpoints).
   */
  @DoFn.UnboundedPerElement
  static class FailOnceIndexPairs extends DoFn<String, KV<String, Long>> {
    @ProcessElement
    public ProcessContinuation process(
        @Element String element,
        RestrictionTracker<OffsetRange, Long> tracker,
        OutputReceiver<KV<String, Long>> out) {
      long from = tracker.currentRestriction().getFrom();
      if (FAILED.get()) {
        STARTS_AFTER_FAILURE.add(from);
      }
      if (element.equals("e0") && from >= 200 && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure at index " + from);
      }
      int claims = 0;
      for (long i = from; tracker.tryClaim(i); i++) {
        out.output(KV.of(element, i));
        if (++claims == 2) {
          return ProcessContinuation.resume().withResumeDelay(Duration.millis(20));
        }
      }
      return ProcessContinuation.stop();
    }

    @GetInitialRestriction
    public OffsetRange initialRestriction() {
      return new OffsetRange(0, 400);
    }

    @NewTracker
    public OffsetRangeTracker newTracker(@Restriction OffsetRange restriction) {
      return new OffsetRangeTracker(restriction);
    }
  }

  @Test
  public void aRestoreFromACheckpointResumesTheResidualsItHeld() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Pipeline p =
        Pipeline.create(
            options(
                "--checkpointingInterval=100",
                "--checkpointDir=" + tmp.newFolder("checkpoints").toURI(),
                "--executionRetryDelay=10"));
    List<String> elements = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      elements.add("e" + i);
    }
    p.apply(Create.of(elements))
        .apply("PairWithIndex", ParDo.of(new FailOnceIndexPairs()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
        .apply("Write", ParDo.of(new AppendIndexFn(out.toString())));

    String jobId = jobServer.client().submit(p, "sdf-restore");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 300));
    assertTrue("the injected failure happened", FAILED.get());
    // After the restore the splittable DoFn went on from the residuals of the checkpoint, not
    // from the elements' initial restrictions (Create's output is not read again).
    assertFalse(STARTS_AFTER_FAILURE.isEmpty());
    assertTrue(
        String.valueOf(STARTS_AFTER_FAILURE), STARTS_AFTER_FAILURE.stream().allMatch(s -> s > 0));
    // Nothing lost: every index of every element was written (the sink is not transactional, so
    // what was written after the checkpoint was written again).
    for (String element : elements) {
      Set<Long> written = new TreeSet<>();
      for (String line : Files.readAllLines(out.resolve(element))) {
        written.add(Long.parseLong(line));
      }
      assertEquals(element, 400, written.size());
      assertEquals(element, 399L, (long) ((TreeSet<Long>) written).last());
    }
  }

  /**
   * Resumes until the callback it registered with its bundle finalizer has run (a marker file, as
   * the harness runs in the job server's JVM under another class loader), then outputs its
   * element once and stops; each attempt appends a line to a log.
   */
  static class FinalizedOnceFn extends DoFn<String, String> {
    private final String dir;

    FinalizedOnceFn(String dir) {
      this.dir = dir;
    }

    @ProcessElement
    public ProcessContinuation process(
        @Element String element,
        RestrictionTracker<OffsetRange, Long> tracker,
        BundleFinalizer finalizer,
        OutputReceiver<String> out)
        throws IOException {
      Path marker = Path.of(dir, element + ".finalized");
      Files.writeString(
          Path.of(dir, element + ".attempts"),
          "attempt\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      long position = tracker.currentRestriction().getFrom();
      if (Files.exists(marker)) {
        if (tracker.tryClaim(position)) {
          out.output(element);
          // Claims nothing: done with the rest of the restriction.
          tracker.tryClaim(tracker.currentRestriction().getTo());
        }
        return ProcessContinuation.stop();
      }
      if (!tracker.tryClaim(position)) {
        return ProcessContinuation.stop();
      }
      finalizer.afterBundleCommit(
          Instant.now().plus(Duration.standardMinutes(5)),
          () -> Files.writeString(marker, "finalized", StandardCharsets.UTF_8));
      return ProcessContinuation.resume().withResumeDelay(Duration.millis(50));
    }

    @GetInitialRestriction
    public OffsetRange initialRestriction() {
      return new OffsetRange(0, 1000);
    }

    @NewTracker
    public OffsetRangeTracker newTracker(@Restriction OffsetRange restriction) {
      return new OffsetRangeTracker(restriction);
    }
  }

  @DoFn.UnboundedPerElement
  static class UnboundedFinalizedOnceFn extends FinalizedOnceFn {
    UnboundedFinalizedOnceFn(String dir) {
      super(dir);
    }
  }

  /** Writes each element to a file of its name. */
  static class WriteFn extends DoFn<String, Void> {
    private final String dir;

    WriteFn(String dir) {
      this.dir = dir;
    }

    @ProcessElement
    public void process(@Element String element) throws IOException {
      Files.writeString(Path.of(dir, element + ".out"), element);
    }
  }

  private void assertFinalizedThenOutput(Path dir, String... elements) throws IOException {
    for (String element : elements) {
      assertTrue(element + " finalized", Files.exists(dir.resolve(element + ".finalized")));
      assertEquals(element, Files.readString(dir.resolve(element + ".out")));
      // At least the attempt that registered the callback, then the one that saw it had run.
      assertTrue(Files.readAllLines(dir.resolve(element + ".attempts")).size() >= 2);
    }
  }

  @Test
  public void withoutCheckpointsABundleIsFinalizedWhenItEnds() throws Exception {
    Path dir = tmp.newFolder("finalize").toPath();
    Pipeline p = Pipeline.create(options());
    p.apply(Create.of("a", "b", "c"))
        .apply("Finalized", ParDo.of(new FinalizedOnceFn(dir.toString())))
        .apply("Write", ParDo.of(new WriteFn(dir.toString())));

    String jobId = jobServer.client().submit(p, "sdf-finalize");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
    assertFinalizedThenOutput(dir, "a", "b", "c");
  }

  @Test
  public void withCheckpointsABundleIsFinalizedOnceTheCheckpointCoveringItCompletes()
      throws Exception {
    Path dir = tmp.newFolder("finalize").toPath();
    Pipeline p = Pipeline.create(options("--checkpointingInterval=200", "--checkpointDir=" + tmp.newFolder().toURI()));
    p.apply(Create.of("a", "b", "c"))
        .apply("Finalized", ParDo.of(new UnboundedFinalizedOnceFn(dir.toString())))
        .apply("Write", ParDo.of(new WriteFn(dir.toString())));

    String jobId = jobServer.client().submit(p, "sdf-finalize-checkpointed");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
    assertFinalizedThenOutput(dir, "a", "b", "c");
  }
}
