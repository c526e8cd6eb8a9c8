package dev.weir.runner;

import static org.junit.Assert.assertTrue;

import dev.weir.web.HeadlessChromium;
import dev.weir.web.RawHttp;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.json.JSONObject;
import org.junit.Test;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in headless Chromium on a streaming job of the embedded cluster ({@code --webPort=0}):
 * it shows the job RUNNING, lists each stage's Beam steps by their full names (one 300 characters
 * long, on hover), and between the page's own refreshes its element counts grow and the source
 * stage's watermark advances. Pages are saved under {@code target/ui-screenshots/}.
 */
public class WebUiOnStreamingJobTest {
  private static final String LONG_STEP = "Pass" + "s".repeat(296);
  private static final Path SCREENSHOTS = Paths.get("target", "ui-screenshots");
  private static final String ELEMENT_COUNTS =
      "return [...document.querySelectorAll('tr')]"
          + ".filter(r => r.children.length === 5"
          + " && r.children[2].textContent === 'beam:metric:element_count:v1')"
          + ".reduce((sum, r) => sum + Number(r.children[3].textContent), 0);";
  private static final String FIRST_WATERMARK =
      "const w = document.querySelector('.watermark'); return w === null ? '' : w.textContent;";

  private static final class Pass extends DoFn<Long, Long> {
    @ProcessElement
    public void process(@Element Long x, OutputReceiver<Long> out) {
      out.output(x);
    }
  }

  @Test
  public void runningJobsCountsGrowAndItsWatermarkAdvancesBetweenRefreshes() throws Exception {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--webPort=0",
                    "--parallelism=1",
                    "--stateBackend=memory",
                    "--jobName=streamingui")
                .create());
    p.apply("Ticks", GenerateSequence.from(0).withRate(50, org.joda.time.Duration.standardSeconds(1)))
        .apply("Window", Window.into(FixedWindows.of(org.joda.time.Duration.standardSeconds(1))))
        .apply(LONG_STEP, ParDo.of(new Pass()))
        .apply("Key", WithKeys.of((Long x) -> x % 4).withKeyType(TypeDescriptors.longs()))
        .apply("CountPerKey", Count.perKey());
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    try (HeadlessChromium browser = HeadlessChromium.start()) {
      String url = result.webUrl().orElseThrow();
      String jobId =
          new JSONObject(new RawHttp(URI.create(url).getPort()).get("/api/v1/jobs").body())
              .getJSONArray("jobs")
              .getJSONObject(0)
              .getString("id");
      WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(90));
      browser.driver().get(url + "#job/" + jobId);
      wait.until(
          d ->
              ((Long) browser.script("return document.querySelectorAll('.stage').length;")) >= 2
                  && String.valueOf(browser.script("return document.getElementById('main').textContent;"))
                      .contains("RUNNING"));
      @SuppressWarnings("unchecked")
      List<String> titles =
          (List<String>)
              browser.script(
                  "return [...document.querySelectorAll('.stage .step')].map(e => e.title);");
      assertTrue(
          titles + " has the 300-character step",
          titles.stream().anyMatch(t -> t.equals(LONG_STEP + "/ParMultiDo(Pass)")));
      assertTrue(titles.stream().anyMatch(t -> t.startsWith("CountPerKey")));

      wait.until(d -> ((Number) browser.script(ELEMENT_COUNTS)).longValue() > 0);
      wait.until(d -> !String.valueOf(browser.script(FIRST_WATERMARK)).isEmpty());
      long counted = ((Number) browser.script(ELEMENT_COUNTS)).longValue();
      String watermark = String.valueOf(browser.script(FIRST_WATERMARK));
      browser.screenshot(SCREENSHOTS, "streaming-job-1");
      wait.until(d -> ((Number) browser.script(ELEMENT_COUNTS)).longValue() > counted);
      // ISO-8601 times of one format: later sorts after.
      wait.until(d -> String.valueOf(browser.script(FIRST_WATERMARK)).compareTo(watermark) > 0);
      browser.screenshot(SCREENSHOTS, "streaming-job-2");
    } finally {
      result.cancel();
    }
  }
}
