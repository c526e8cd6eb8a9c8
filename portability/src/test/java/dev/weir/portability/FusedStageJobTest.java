package dev.weir.portability;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.pipeline.v1.MetricsApi;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * What crosses a fused stage's boundary: elements whose coder changes at a Flatten in the engine,
 * and the user metrics of each transform the stage fused.
 */
public class FusedStageJobTest {
  public final TemporaryFolder tmp = new TemporaryFolder();
  private final JobServerRule jobServer = new JobServerRule(tmp);
  @Rule public final RuleChain rules = RuleChain.outerRule(tmp).around(jobServer);

  private static PipelineOptions options() {
    return PipelineOptionsFactory.fromArgs(
            "--runner=WeirRunner",
            "--defaultEnvironmentType=EMBEDDED",
            "--parallelism=2",
            "--stateBackend=memory")
        .create();
  }

  /** Counts each element under its own transform's step. */
  static class CountFn extends DoFn<KV<String, Long>, KV<String, Long>> {
    private final Counter seen = Metrics.counter("weir-test", "seen");

    @ProcessElement
    public void process(@Element KV<String, Long> element, OutputReceiver<KV<String, Long>> out) {
      seen.inc();
      out.output(element);
    }
  }

  @Test
  public void aFlattenWhoseOutputCoderDiffersFromItsInputsHandsTheHarnessTheOutputCodersBytes()
      throws Exception {
    // The GroupByKey's output is a standard KV coder (the engine holds KV values); the Flatten's
    // output has a Java coder the runner only sees as length-prefixed bytes.
    Path out = tmp.newFolder("out").toPath();
    Pipeline p = Pipeline.create(options());
    PCollectionList.of(
            p.apply(Create.of("a:1", "b:2", "a:3"))
                .apply("Parse", ParDo.of(new WeirJobServerTest.ParseFn()))
                .apply(GroupByKey.create()))
        .apply(Flatten.pCollections())
        .setCoder(SerializableCoder.of(new TypeDescriptor<KV<String, Iterable<Long>>>() {}))
        .apply("WriteSums", ParDo.of(new WeirJobServerTest.WriteSumFn(out.toString())));

    String jobId = jobServer.client().submit(p, "flatten-coders");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
    assertEquals("4", Files.readString(out.resolve("a")));
    assertEquals("2", Files.readString(out.resolve("b")));
  }

  /** One element whose key is {@code bytes} characters long. */
  static class LargeKeyFn extends DoFn<Integer, KV<String, Long>> {
    private final int bytes;

    LargeKeyFn(int bytes) {
      this.bytes = bytes;
    }

    @ProcessElement
    public void process(@Element Integer seed, OutputReceiver<KV<String, Long>> out) {
      out.output(KV.of(String.valueOf((char) ('a' + seed)).repeat(bytes), 1L));
    }
  }

  /** Writes each group's key length and value count to a file named after its first letter. */
  static class WriteKeySizeFn extends DoFn<KV<String, Iterable<Long>>, Void> {
    private final String dir;

    WriteKeySizeFn(String dir) {
      this.dir = dir;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Long>> group) throws IOException {
      long count = 0;
      for (long ignored : group.getValue()) {
        count++;
      }
      Files.writeString(
          Path.of(dir, group.getKey().substring(0, 1)), group.getKey().length() + " " + count);
    }
  }

  @Test
  public void aKeyLargerThanTheExchangesDefaultFrameCrossesTheGroupByKey() throws Exception {
    // 100 MiB, as Beam's LargeKeys$Above100MB tests: more than one 64 MiB frame of the exchange.
    int bytes = 100 << 20;
    Path out = tmp.newFolder("out").toPath();
    Pipeline p = Pipeline.create(options());
    p.apply(Create.of(0, 1))
        .apply("MakeKey", ParDo.of(new LargeKeyFn(bytes)))
        .apply(GroupByKey.create())
        .apply("WriteKeySize", ParDo.of(new WriteKeySizeFn(out.toString())));

    String jobId = jobServer.client().submit(p, "large-key");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 300));
    assertEquals(bytes + " 1", Files.readString(out.resolve("a")));
    assertEquals(bytes + " 1", Files.readString(out.resolve("b")));
  }

  @Test
  public void eachFusedTransformsCountersComeBackUnderItsOwnStepName() throws Exception {
    Pipeline p = Pipeline.create(options());
    p.apply(Create.of("a:1", "b:2", "a:3"))
        .apply("Parse", ParDo.of(new WeirJobServerTest.ParseFn()))
        .apply("CountFirst", ParDo.of(new CountFn()))
        .apply("CountSecond", ParDo.of(new CountFn()));

    String jobId = jobServer.client().submit(p, "fused-metrics");

    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
    Map<String, Long> seenPerStep =
        countersPerStep(jobServer.client().metrics(jobId).getAttemptedList(), "seen");
    // Each under its transform's unique name, as a classic job's steps are named.
    assertEquals(
        Map.of("CountFirst/ParMultiDo(Count)", 3L, "CountSecond/ParMultiDo(Count)", 3L),
        seenPerStep);
    assertEquals(
        Map.of("Parse/ParMultiDo(Parse)", 3L),
        countersPerStep(jobServer.client().metrics(jobId).getAttemptedList(), "parsed"));
  }

  private static Map<String, Long> countersPerStep(
      List<MetricsApi.MonitoringInfo> infos, String name) {
    Map<String, Long> perStep = new TreeMap<>();
    for (MetricsApi.MonitoringInfo info : infos) {
      if (info.getUrn().equals(MonitoringInfoConstants.Urns.USER_SUM_INT64)
          && name.equals(info.getLabelsMap().get(MonitoringInfoConstants.Labels.NAME))) {
        try {
          perStep.merge(
              info.getLabelsMap().get(MonitoringInfoConstants.Labels.PTRANSFORM),
              VarLongCoder.of().decode(info.getPayload().newInput()),
              Long::sum);
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      }
    }
    return perStep;
  }
}
