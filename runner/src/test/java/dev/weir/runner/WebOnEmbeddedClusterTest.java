package dev.weir.runner;

import static dev.weir.web.StrictPrometheusParser.labels;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.weir.web.ClusterMetrics;
import dev.weir.web.RawHttp;
import dev.weir.web.ResponseSchemas;
import dev.weir.web.StrictPrometheusParser;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Test;

/**
 * The web server of a job on the embedded cluster ({@code --webPort=0}): while a DoFn holds the job
 * running, every REST response validates against its schema and shows the plan's Beam steps by
 * their full names (one 300 characters long, one with markup), and {@code /metrics} passes the
 * strict parser; once the job is done, the exposition's element counts and user counter equal
 * {@code PipelineResult.metrics()}.
 */
public class WebOnEmbeddedClusterTest {
  private static final String LONG_STEP = "Count" + "e".repeat(295);
  private static final String SCRIPT_STEP = "<script>alert(1)</script>";
  private static final String ELEMENT_COUNT = MonitoringInfoConstants.Urns.ELEMENT_COUNT;

  /** Set by the held element when it is reached; released by the test. */
  private static volatile CountDownLatch reached;

  private static volatile CountDownLatch release;

  /** Counts each element; element 7 waits (bounded) until the test has read the running job. */
  private static final class CountAndHold extends DoFn<Integer, Integer> {
    private final Counter seen = Metrics.counter("web-test", "seen");

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) throws Exception {
      seen.inc();
      if (x == 7) {
        reached.countDown();
        if (!release.await(120, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never released the held element");
        }
      }
      out.output(x);
    }
  }

  @Test
  public void restAndMetricsOfARunningJobThenFinalCountsEqualTheResult() throws Exception {
    reached = new CountDownLatch(1);
    release = new CountDownLatch(1);
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--webPort=0",
                    "--embeddedWorkers=2",
                    "--parallelism=2",
                    "--jobName=webtest")
                .withValidation()
                .create());
    p.apply("Numbers", Create.of(IntStream.rangeClosed(1, 20).boxed().collect(Collectors.toList())))
        .apply(LONG_STEP, ParDo.of(new CountAndHold()))
        .apply(SCRIPT_STEP, WithKeys.of((Integer x) -> x % 3).withKeyType(TypeDescriptors.integers()))
        .apply("CountPerKey", Count.perKey());
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    try {
      assertTrue("the held element was reached", reached.await(120, TimeUnit.SECONDS));
      String url = result.webUrl().orElseThrow();
      assertThat(url, startsWith("http://127.0.0.1:"));
      RawHttp http = new RawHttp(URI.create(url).getPort());

      JSONObject overview = ok(http, "/api/v1/overview", "overview");
      assertEquals(2, overview.getInt("workers"));
      assertEquals(-1, overview.getInt("slots"));
      assertEquals(1, overview.getJSONObject("jobsByState").getInt("RUNNING"));

      JSONArray jobs = ok(http, "/api/v1/jobs", "jobs").getJSONArray("jobs");
      assertEquals(1, jobs.length());
      String jobId = jobs.getJSONObject(0).getString("id");
      assertEquals("webtest", jobs.getJSONObject(0).getString("name"));
      assertThat(jobId, startsWith("webtest-"));

      JSONObject job = ok(http, "/api/v1/jobs/" + jobId, "job");
      assertEquals("RUNNING", job.getJSONObject("job").getString("state"));
      List<String> steps = new ArrayList<>();
      JSONArray stages = job.getJSONArray("stages");
      for (int i = 0; i < stages.length(); i++) {
        assertEquals(2, stages.getJSONObject(i).getInt("parallelism"));
        JSONArray s = stages.getJSONObject(i).getJSONArray("steps");
        for (int j = 0; j < s.length(); j++) {
          steps.add(s.getString(j));
        }
      }
      // The primitive's full name: the 300-character name the user gave, then Beam's expansion.
      assertTrue(
          steps + " has the 300-character step",
          steps.contains(LONG_STEP + "/ParMultiDo(CountAndHold)"));
      assertTrue(steps.stream().anyMatch(s -> s.startsWith(SCRIPT_STEP)));
      assertTrue(job.getJSONArray("edges").length() >= 1);
      assertEquals("2", job.getJSONObject("options").getString("parallelism"));

      JSONObject metrics = ok(http, "/api/v1/jobs/" + jobId + "/metrics", "metrics");
      assertTrue(metrics.getJSONArray("counters").length() > 0);
      JSONObject checkpoints = ok(http, "/api/v1/jobs/" + jobId + "/checkpoints", "checkpoints");
      assertFalse(checkpoints.getBoolean("enabled"));
      ok(http, "/api/v1/jobs/" + jobId + "/exceptions", "exceptions");
      JSONObject watermarks = ok(http, "/api/v1/jobs/" + jobId + "/watermarks", "watermarks");
      assertEquals(stages.length(), watermarks.getJSONArray("stages").length());
      assertEquals(2, ok(http, "/api/v1/workers", "workers").getJSONArray("workers").length());
      RawHttp.Reply unknown = http.get("/api/v1/jobs/no-such-job");
      assertEquals(404, unknown.status());
      ResponseSchemas.validate("error", unknown.body());

      RawHttp.Reply scrape = http.get("/metrics");
      assertEquals(200, scrape.status());
      StrictPrometheusParser.parse(scrape.body());
    } finally {
      release.countDown();
    }
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    // The exposition the server would give now, from the finished job's coordinator.
    JobCoordinator coordinator = (JobCoordinator) result.handle();
    StrictPrometheusParser.Exposition exposition =
        StrictPrometheusParser.parse(
            ClusterMetrics.scrape(new CoordinatorView(() -> List.of(coordinator), List::of)));
    int compared = 0;
    for (MetricResult<Long> count : result.metrics().allMetrics().getCounters()) {
      if (!count.getName().getName().equals(ELEMENT_COUNT)) {
        continue;
      }
      List<StrictPrometheusParser.Sample> samples =
          exposition.find(
              "weir_pcollection_elements_total",
              labels(
                  "job_name", "webtest",
                  "step", count.getKey().stepName(),
                  "pcollection", count.getName().getNamespace()));
      assertEquals(count.getKey().toString(), 1, samples.size());
      assertEquals(count.getKey().toString(), count.getAttempted(), samples.get(0).value(), 0);
      compared++;
    }
    assertTrue("element counts compared: " + compared, compared >= 4);
    MetricResult<Long> counted = null;
    for (MetricResult<Long> counter : result.metrics().allMetrics().getCounters()) {
      if (counter.getName().getName().equals("seen")) {
        counted = counter;
      }
    }
    assertEquals(20, (long) counted.getAttempted());
    List<StrictPrometheusParser.Sample> seen =
        exposition.find(
            "weir_user_counter_total",
            labels(
                "step", counted.getKey().stepName(), "namespace", "web-test", "name", "seen"));
    assertEquals(1, seen.size());
    assertThat(seen.get(0).labels().get("step"), startsWith(LONG_STEP));
    assertEquals(20, seen.get(0).value(), 0);
  }

  @Test
  public void noWebServerWithoutWebPort() {
    Pipeline p =
        Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=WeirRunner").create());
    p.apply(Create.of(1, 2, 3));
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    assertTrue(result.webUrl().isEmpty());
  }

  @Test
  public void aNonLoopbackWebBindFailsTheRunWithoutWebInsecure() {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner", "--webPort=0", "--webBind=0.0.0.0")
                .create());
    p.apply(Create.of(1, 2, 3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::run);
    assertThat(e.getMessage(), containsString("--webBind=0.0.0.0 is not a loopback address"));
  }

  private static JSONObject ok(RawHttp http, String path, String schema) throws Exception {
    RawHttp.Reply reply = http.get(path);
    assertEquals(path + ": " + reply.body(), 200, reply.status());
    return ResponseSchemas.validate(schema, reply.body());
  }
}
