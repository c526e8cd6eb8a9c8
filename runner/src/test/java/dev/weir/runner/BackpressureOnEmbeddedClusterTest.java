package dev.weir.runner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.web.HeadlessChromium;
import dev.weir.web.RawHttp;
import dev.weir.web.ResponseSchemas;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Test;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Busy, idle and backpressured time from counters: a fast source feeding a DoFn that sleeps 5 ms
 * per element shows, through {@code jobs/{id}/stages/{sid}}, the slow stage busy at least 80 % of
 * the time (sleeping in user code is busy) and the stage before it backpressured at least 50 % of
 * the time (waiting for output credit); {@code jobs/{id}} names the slow stage as the bottleneck
 * the backpressured one waits for, and the job page in headless Chromium shows that hint and
 * marks the slow stage's box. Polled until each holds, within a generous bound.
 */
public class BackpressureOnEmbeddedClusterTest {
  private static final String SLOW = "SlowStep";
  private static final Path SCREENSHOTS = Paths.get("target", "ui-screenshots");

  private static final class Slow extends DoFn<Long, Long> {
    @ProcessElement
    public void process(@Element Long x, OutputReceiver<Long> out) throws InterruptedException {
      Thread.sleep(5);
      out.output(x);
    }
  }

  @Test
  public void theSlowStageIsBusyAndTheOneBeforeItBackpressured() throws Exception {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner", "--webPort=0", "--parallelism=1", "--stateBackend=memory")
                .create());
    p.apply("Generate", GenerateSequence.from(0).to(10_000_000))
        .apply("Shuffle", Reshuffle.viaRandomKey())
        .apply(SLOW, ParDo.of(new Slow()));
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    try {
      RawHttp http = new RawHttp(URI.create(result.webUrl().orElseThrow()).getPort());
      String jobId =
          new JSONObject(http.get("/api/v1/jobs").body())
              .getJSONArray("jobs")
              .getJSONObject(0)
              .getString("id");
      JSONObject job = new JSONObject(http.get("/api/v1/jobs/" + jobId).body());
      int slowStage = -1;
      JSONArray stages = job.getJSONArray("stages");
      for (int i = 0; i < stages.length(); i++) {
        for (Object step : stages.getJSONObject(i).getJSONArray("steps")) {
          if (step.toString().startsWith(SLOW + "/")) {
            slowStage = stages.getJSONObject(i).getInt("id");
          }
        }
      }
      assertTrue("a stage runs " + SLOW + ": " + job, slowStage >= 0);
      int upstream = -1;
      JSONArray edges = job.getJSONArray("edges");
      for (int i = 0; i < edges.length(); i++) {
        if (edges.getJSONObject(i).getInt("to") == slowStage) {
          upstream = edges.getJSONObject(i).getInt("from");
        }
      }
      assertTrue("a stage feeds the slow one: " + job, upstream >= 0);
      long deadline = System.currentTimeMillis() + 120_000;
      String last = "";
      while (true) {
        JSONObject slow = stage(http, jobId, slowStage);
        JSONObject before = stage(http, jobId, upstream);
        last = slow + "\n" + before;
        if (max(slow, "busyMillisPerSecond") >= 800
            && max(before, "backpressuredMillisPerSecond") >= 500) {
          System.out.println("Slow stage, then the stage before it:\n" + last);
          break;
        }
        assertTrue("never busy and backpressured as expected:\n" + last,
            System.currentTimeMillis() < deadline);
        Thread.sleep(500);
      }
      // The hint names the slow stage, downstream of the backpressured one.
      JSONObject bottleneck = null;
      while (bottleneck == null) {
        RawHttp.Reply reply = http.get("/api/v1/jobs/" + jobId);
        JSONArray found = ResponseSchemas.validate("job", reply.body()).getJSONArray("bottlenecks");
        for (int i = 0; i < found.length(); i++) {
          if (found.getJSONObject(i).getInt("stage") == slowStage) {
            bottleneck = found.getJSONObject(i);
          }
        }
        assertTrue("no bottleneck named: " + reply.body(), System.currentTimeMillis() < deadline);
        Thread.sleep(500);
      }
      assertTrue(bottleneck.toString(), bottleneck.getLong("busyMillisPerSecond") >= 500);
      assertEquals(
          bottleneck.toString(), upstream, bottleneck.getJSONArray("backpressuredUpstream").getInt(0));
      try (HeadlessChromium browser = HeadlessChromium.start()) {
        WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(90));
        browser.driver().get(result.webUrl().orElseThrow() + "#job/" + jobId);
        String hint = "Bottleneck: stage " + slowStage + " (";
        int slow = slowStage;
        int up = upstream;
        wait.until(
            d ->
                String.valueOf(
                        browser.script(
                            "const h = document.querySelector('.hint');"
                                + " const b = document.querySelector('.stage.bottleneck a');"
                                + " return (h === null ? '' : h.textContent) + '|'"
                                + " + (b === null ? '' : b.textContent);"))
                    .matches(
                        java.util.regex.Pattern.quote(hint)
                            + ".*busy \\d+% .*stage "
                            + up
                            + " upstream waits for it.*\\|Stage "
                            + slow
                            + " .*"));
        browser.screenshot(SCREENSHOTS, "bottleneck");
      }
    } finally {
      result.cancel();
    }
  }

  private static JSONObject stage(RawHttp http, String jobId, int stage) throws Exception {
    RawHttp.Reply reply = http.get("/api/v1/jobs/" + jobId + "/stages/" + stage);
    assertEquals(reply.body(), 200, reply.status());
    return ResponseSchemas.validate("stage", reply.body());
  }

  private static long max(JSONObject stage, String field) {
    long max = -1;
    JSONArray subtasks = stage.getJSONArray("subtasks");
    for (int i = 0; i < subtasks.length(); i++) {
      if (!subtasks.getJSONObject(i).isNull(field)) {
        max = Math.max(max, subtasks.getJSONObject(i).getLong(field));
      }
    }
    return max;
  }
}
