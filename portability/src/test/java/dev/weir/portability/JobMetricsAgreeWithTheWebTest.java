package dev.weir.portability;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weir.web.RawHttp;
import dev.weir.web.StrictPrometheusParser;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.pipeline.v1.MetricsApi;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * A portable job (EMBEDDED Java harness) with the web server on: held in its last stage once the
 * rest has run, the Job API's GetJobMetrics gives the same user counters and element counts, as
 * monitoring infos ({@code beam:metric:user:sum_int64:v1}, {@code beam:metric:element_count:v1}),
 * as the web's {@code jobs/{id}/metrics} and Prometheus {@code /metrics}: the three read one store.
 */
public class JobMetricsAgreeWithTheWebTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ELEMENT_COUNT = MonitoringInfoConstants.Urns.ELEMENT_COUNT;

  public final TemporaryFolder tmp = new TemporaryFolder();
  private final JobServerRule jobServer = new JobServerRule(tmp);
  @Rule public final RuleChain rules = RuleChain.outerRule(tmp).around(jobServer);

  /** Splits "word:n" into KV(word, n), counting each. */
  static class ParseFn extends DoFn<String, KV<String, Long>> {
    private final Counter parsed = Metrics.counter("agree-test", "parsed");

    @ProcessElement
    public void process(@Element String line, OutputReceiver<KV<String, Long>> out) {
      parsed.inc();
      String[] parts = line.split(":");
      out.output(KV.of(parts[0], Long.parseLong(parts[1])));
    }
  }

  /** Sums each key's values, counting the keys. */
  static class SumFn extends DoFn<KV<String, Iterable<Long>>, KV<String, Long>> {
    private final Counter summed = Metrics.counter("agree-test", "summed");

    @ProcessElement
    public void process(@Element KV<String, Iterable<Long>> group, OutputReceiver<KV<String, Long>> out) {
      summed.inc();
      long sum = 0;
      for (long v : group.getValue()) {
        sum += v;
      }
      out.output(KV.of(group.getKey(), sum));
    }
  }

  /**
   * Marks a file when reached, then waits (bounded) for the test's file: files, because the
   * harness may load this class in the job's own class loader.
   */
  static class HoldFn extends DoFn<KV<String, Long>, Void> {
    private final String reached;
    private final String release;

    HoldFn(Path reached, Path release) {
      this.reached = reached.toString();
      this.release = release.toString();
    }

    @ProcessElement
    public void process(@Element KV<String, Long> element) throws Exception {
      Path mark = Path.of(reached);
      if (!Files.exists(mark)) {
        Files.writeString(mark, element.getKey());
      }
      long deadline = System.currentTimeMillis() + 180_000;
      while (!Files.exists(Path.of(release))) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("the test never released the held element");
        }
        Thread.sleep(50);
      }
    }
  }

  @Test
  public void getJobMetricsGivesTheCountersAndElementCountsTheWebShows() throws Exception {
    int webPort;
    try (ServerSocket free = new ServerSocket(0)) {
      webPort = free.getLocalPort();
    }
    Path reached = tmp.getRoot().toPath().resolve("reached");
    Path release = tmp.getRoot().toPath().resolve("release");
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--defaultEnvironmentType=EMBEDDED",
                    "--parallelism=1",
                    "--stateBackend=memory",
                    "--webPort=" + webPort)
                .create());
    p.apply("Lines", Create.of("a:1", "b:2", "a:3", "c:4", "b:5", "a:6"))
        .apply("Parse", ParDo.of(new ParseFn()))
        .apply("Group", GroupByKey.create())
        .apply("Sum", ParDo.of(new SumFn()))
        .apply("Shuffle", Reshuffle.viaRandomKey())
        .apply("Hold", ParDo.of(new HoldFn(reached, release)));
    String jobId = jobServer.client().submit(p, "agree");
    try {
      long deadline = System.currentTimeMillis() + 180_000;
      while (!Files.exists(reached)) {
        assertTrue("the held element was reached", System.currentTimeMillis() < deadline);
        Thread.sleep(100);
      }
      RawHttp http = new RawHttp(webPort);
      String weirId = json(http, "/api/v1/jobs").path("jobs").get(0).path("id").asText();

      // Held, nothing counts any more; once two web readings 2.5 s apart (past the web's
      // one-second generations and its two seconds of serving a kept response) agree, compare.
      Readings readings = null;
      while (true) {
        Readings first = read(http, weirId, jobId);
        Thread.sleep(2_500);
        Readings second = read(http, weirId, jobId);
        if (first.equals(second)) {
          readings = second;
          break;
        }
        assertTrue("the metrics settled: " + second, System.currentTimeMillis() < deadline);
      }

      assertEquals(readings.toString(), readings.web, readings.jobApi);
      assertEquals(readings.toString(), readings.web, readings.prometheus);
      // And they are the job's: the user counters' values, and the element counts there.
      assertEquals(6L, (long) readings.jobApi.get(counterKey(readings.jobApi, "parsed")));
      assertEquals(3L, (long) readings.jobApi.get(counterKey(readings.jobApi, "summed")));
      assertTrue(
          readings.toString(),
          readings.jobApi.keySet().stream().anyMatch(k -> k.startsWith("pcollection|")));
    } finally {
      Files.writeString(release, "go");
    }
    assertEquals(JobApi.JobState.Enum.DONE, jobServer.client().awaitEnd(jobId, 180));
  }

  /**
   * The attempted counters of one moment, three ways, each keyed {@code user|step|namespace|name}
   * or {@code pcollection|name}.
   */
  private record Readings(
      Map<String, Long> web, Map<String, Long> prometheus, Map<String, Long> jobApi) {}

  private Readings read(RawHttp http, String weirId, String jobId) throws Exception {
    Map<String, Long> web = new TreeMap<>();
    for (JsonNode c : json(http, "/api/v1/jobs/" + weirId + "/metrics").path("counters")) {
      String name = c.path("name").asText();
      web.put(
          name.equals(ELEMENT_COUNT)
              ? "pcollection|" + c.path("namespace").asText()
              : "user|" + c.path("step").asText() + "|" + c.path("namespace").asText() + "|" + name,
          c.path("attempted").asLong());
    }
    Map<String, Long> prometheus = new TreeMap<>();
    RawHttp.Reply scrape = http.get("/metrics");
    assertEquals(200, scrape.status());
    for (StrictPrometheusParser.Sample s :
        StrictPrometheusParser.parse(scrape.body()).samples()) {
      Map<String, String> l = s.labels();
      if (s.name().equals("weir_user_counter_total")) {
        prometheus.put(
            "user|" + l.get("step") + "|" + l.get("namespace") + "|" + l.get("name"),
            (long) s.value());
      } else if (s.name().equals("weir_pcollection_elements_total")) {
        prometheus.put("pcollection|" + l.get("pcollection"), (long) s.value());
      }
    }
    Map<String, Long> jobApi = new TreeMap<>();
    for (MetricsApi.MonitoringInfo info : jobServer.client().metrics(jobId).getAttemptedList()) {
      Map<String, String> l = info.getLabelsMap();
      if (info.getUrn().equals(MonitoringInfoConstants.Urns.USER_SUM_INT64)) {
        jobApi.put(
            "user|"
                + l.get(MonitoringInfoConstants.Labels.PTRANSFORM)
                + "|"
                + l.get(MonitoringInfoConstants.Labels.NAMESPACE)
                + "|"
                + l.get(MonitoringInfoConstants.Labels.NAME),
            sum(info));
      } else if (info.getUrn().equals(ELEMENT_COUNT)) {
        jobApi.put("pcollection|" + l.get(MonitoringInfoConstants.Labels.PCOLLECTION), sum(info));
      }
    }
    return new Readings(web, prometheus, jobApi);
  }

  private static String counterKey(Map<String, Long> counters, String name) {
    return counters.keySet().stream()
        .filter(k -> k.startsWith("user|") && k.endsWith("|agree-test|" + name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no counter " + name + " in " + counters));
  }

  private static long sum(MetricsApi.MonitoringInfo info) {
    try {
      return VarLongCoder.of().decode(info.getPayload().newInput());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode json(RawHttp http, String path) throws Exception {
    RawHttp.Reply reply = http.get(path);
    assertEquals(path + ": " + reply.body(), 200, reply.status());
    return JSON.readTree(reply.body());
  }
}
