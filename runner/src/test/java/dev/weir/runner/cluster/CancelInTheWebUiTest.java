package dev.weir.runner.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.runner.WeirPipelineResult;
import dev.weir.web.HeadlessChromium;
import dev.weir.web.RawHttp;
import dev.weir.web.ResponseSchemas;
import dev.weir.worker.security.ClusterSecurity;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.joda.time.Duration;
import org.json.JSONArray;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The cancel form of the web UI on a standalone coordinator started with {@code
 * --webAllowCancel}, with a worker process: a wrong secret shows the server's refusal and the job
 * runs on; the cluster secret cancels it. Saved as {@code target/ui-screenshots/cancel-*.png}.
 */
public class CancelInTheWebUiTest {
  @Rule public Timeout timeout = Timeout.seconds(300);

  private static final Path SCREENSHOTS = Paths.get("target", "ui-screenshots");
  private static final String RESULT =
      "return document.getElementById('cancel-result').textContent;";

  @Test
  public void aWrongSecretIsRefusedOnThePageAndTheClusterSecretCancels() throws Exception {
    try (LocalProcessCluster cluster =
        LocalProcessCluster.withCoordinatorInThisJvm(Paths.get("target/cancel-in-web-ui"))) {
      cluster.startWorker("cancel-w1");
      String secret = ClusterSecurity.fromDirectory(cluster.securityDir()).webToken().orElseThrow();
      String url =
          cluster
              .coordinatorInThisJvm()
              .startWeb(
                  WeirClusterCoordinator.webSettings(
                      Map.of("webPort", "0", "webAllowCancel", "true"),
                      ClusterSecurity.fromDirectory(cluster.securityDir())));
      RawHttp http = new RawHttp(URI.create(url).getPort());
      Pipeline p =
          Pipeline.create(
              PipelineOptionsFactory.fromArgs(
                      "--runner=WeirRunner",
                      "--weirMaster=" + cluster.master(),
                      cluster.securityArgument(),
                      "--jobName=cancelme")
                  .create());
      p.apply("Ticks", GenerateSequence.from(0).withRate(50, Duration.standardSeconds(1)))
          .apply("Shuffle", Reshuffle.viaRandomKey());
      WeirPipelineResult result = (WeirPipelineResult) p.run();
      try (HeadlessChromium browser = HeadlessChromium.start()) {
        String jobId = null;
        long deadline = System.currentTimeMillis() + 120_000;
        while (jobId == null) {
          JSONArray jobs =
              ResponseSchemas.validate("jobs", http.get("/api/v1/jobs").body()).getJSONArray("jobs");
          for (int i = 0; i < jobs.length(); i++) {
            if (jobs.getJSONObject(i).getString("name").equals("cancelme")
                && jobs.getJSONObject(i).getString("state").equals("RUNNING")) {
              jobId = jobs.getJSONObject(i).getString("id");
            }
          }
          assertTrue("the job is not running", System.currentTimeMillis() < deadline);
          Thread.sleep(200);
        }
        WebDriverWait wait = new WebDriverWait(browser.driver(), java.time.Duration.ofSeconds(90));
        // The overview of this coordinator: its worker process and the running job.
        browser.driver().get(url);
        String listed = jobId;
        wait.until(
            d ->
                String.valueOf(
                        browser.script("return document.getElementById('main').textContent;"))
                    .contains(listed + "cancelmeRUNNING"));
        assertTrue((Boolean) browser.script("return document.getElementById('cancel').hidden;"));
        browser.screenshot(SCREENSHOTS, "cluster-overview");
        browser.driver().get(url + "#job/" + jobId);
        wait.until(
            d -> (Boolean) browser.script("return !document.getElementById('cancel').hidden;"));
        WebElement token = browser.driver().findElement(By.id("cancel-token"));
        WebElement button = browser.driver().findElement(By.id("cancel-button"));

        token.sendKeys(secret + "-wrong");
        button.click();
        wait.until(d -> String.valueOf(browser.script(RESULT)).contains("HTTP 401"));
        assertThat(
            String.valueOf(browser.script(RESULT)),
            containsString("cancelling a job requires the cluster secret as bearer token"));
        browser.screenshot(SCREENSHOTS, "cancel-wrong-secret");
        assertEquals(PipelineResult.State.RUNNING, result.getState());
        assertEquals(
            "RUNNING",
            new org.json.JSONObject(http.get("/api/v1/jobs/" + jobId).body())
                .getJSONObject("job")
                .getString("state"));

        token.clear();
        token.sendKeys(secret);
        button.click();
        assertEquals(
            PipelineResult.State.CANCELLED, result.waitUntilFinish(Duration.standardSeconds(120)));
        // The page shows it at its next refresh, and drops the form: nothing left to cancel.
        String id = jobId;
        wait.until(
            d ->
                String.valueOf(
                        browser.script("return document.getElementById('main').textContent;"))
                    .contains(id + "CANCELLED"));
        wait.until(d -> (Boolean) browser.script("return document.getElementById('cancel').hidden;"));
        browser.screenshot(SCREENSHOTS, "cancel-done");
      } finally {
        result.cancel();
      }
    }
  }
}
