package dev.weir.web;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in headless Chromium ({@link HeadlessChromium}) over the fixed view of one job: the
 * overview lists the job, the job page shows each stage's Beam steps, a long name shortened with
 * the full name on hover, a step named {@code <script>...} as text that never runs, and a stage's
 * busy and backpressured time. Each page is saved as a PNG under {@code target/ui-screenshots/}.
 */
public class WebUiBrowserTest {
  private static final Path SCREENSHOTS = Paths.get("target", "ui-screenshots");

  private WebServer server;
  private HeadlessChromium browser;

  @Before
  public void start() throws Exception {
    server = WebServer.start(WebSettings.loopback(0), new FakeClusterView());
    browser = HeadlessChromium.start();
  }

  @After
  public void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  public void overviewListsTheJobAndTheJobPageShowsItsStepsAsText() throws Exception {
    WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(60));
    browser.driver().get(server.url());
    wait.until(
        d ->
            String.valueOf(browser.script("return document.getElementById('main').textContent;"))
                .contains("wordcount"));
    assertThat(
        String.valueOf(browser.script("return document.getElementById('version').textContent;")),
        containsString("0.1.0"));
    browser.screenshot(SCREENSHOTS, "overview");

    // The page refreshes itself every 2 s, replacing its elements: read what a test checks in
    // one script run, never from elements found earlier.
    assertEquals(
        "#job/" + FakeClusterView.JOB,
        browser.script(
            "return document.querySelector('a[href^=\"#job/\"]').getAttribute('href');"));
    browser.driver().get(server.url() + "#job/" + FakeClusterView.JOB);
    wait.until(
        d -> ((Long) browser.script("return document.querySelectorAll('.stage').length;")) == 2);
    @SuppressWarnings("unchecked")
    List<List<String>> steps =
        (List<List<String>>)
            browser.script(
                "return [...document.querySelectorAll('.stage .step')]"
                    + ".map(e => [e.textContent, e.title]);");
    assertEquals(4, steps.size());
    // Markup in a name is text: shown as written, no element made of it, nothing run.
    assertEquals(FakeClusterView.SCRIPT_STEP, steps.get(2).get(0));
    assertEquals(1L, browser.script("return document.querySelectorAll('script').length;"));
    assertThrows(NoAlertPresentException.class, () -> browser.driver().switchTo().alert());
    // The 300-character name is shortened on the page, whole on hover.
    assertThat(steps.get(3).get(0).length(), lessThanOrEqualTo(61));
    assertEquals(FakeClusterView.LONG_STEP, steps.get(3).get(1));
    // Stage 1's busiest subtask: 850 ms/s busy, so the box is marked busy.
    @SuppressWarnings("unchecked")
    List<String> stage1 =
        (List<String>)
            browser.script(
                "const s = document.querySelectorAll('.stage')[1];"
                    + " return [s.textContent, s.className];");
    assertThat(stage1.get(0), containsString("busy 85%, backpressured 5%"));
    assertThat(stage1.get(1), containsString("busy"));
    // The watermarks table: a row per stage; stage 1's slowest output watermark, 900 ms.
    @SuppressWarnings("unchecked")
    List<String> watermarkRows =
        (List<String>)
            browser.script(
                "return [...document.querySelectorAll('table.watermarks tr')]"
                    + ".slice(1).map(r => r.textContent);");
    assertEquals(2, watermarkRows.size());
    assertThat(watermarkRows.get(1), containsString("1970-01-01T00:00:00.900Z"));
    // The graph: the plan's one edge drawn and labelled with its exchange, left to right.
    @SuppressWarnings("unchecked")
    List<Object> graph =
        (List<Object>)
            browser.script(
                "const boxes = document.querySelectorAll('.graph .stage');"
                    + " return [document.querySelectorAll('svg.edges path.edge').length,"
                    + " [...document.querySelectorAll('svg.edges text.edge-label')]"
                    + ".map(t => t.textContent),"
                    + " boxes[0].getBoundingClientRect().right < boxes[1].getBoundingClientRect().left];");
    assertEquals(List.of(1L, List.of("keyed"), true), graph);
    // Cancel is off on this server: no form.
    assertEquals(true, browser.script("return document.getElementById('cancel').hidden;"));
    browser.screenshot(SCREENSHOTS, "job");
  }

  @Test
  public void theCancelFormShowsAWrongSecretsRefusalAndCancelsWithTheRightOne() throws Exception {
    server.close();
    FakeClusterView view = new FakeClusterView();
    server = WebServer.start(WebSettings.loopback(0).allowingCancel("the-secret"), view);
    WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(60));
    browser.driver().get(server.url() + "#job/" + FakeClusterView.JOB);
    wait.until(d -> (Boolean) browser.script("return !document.getElementById('cancel').hidden;"));
    // The form is outside the part each refresh replaces: its elements stay.
    org.openqa.selenium.WebElement token = browser.driver().findElement(By.id("cancel-token"));
    org.openqa.selenium.WebElement button = browser.driver().findElement(By.id("cancel-button"));
    token.sendKeys("not-the-secret");
    button.click();
    wait.until(
        d ->
            String.valueOf(
                    browser.script("return document.getElementById('cancel-result').textContent;"))
                .contains("401"));
    assertThat(
        String.valueOf(
            browser.script("return document.getElementById('cancel-result').textContent;")),
        containsString("cancelling a job requires the cluster secret as bearer token"));
    assertEquals(List.of(), view.cancelled);
    browser.screenshot(SCREENSHOTS, "cancel-refused");
    token.clear();
    token.sendKeys("the-secret");
    button.click();
    wait.until(
        d ->
            String.valueOf(
                    browser.script("return document.getElementById('cancel-result').textContent;"))
                .contains("CANCELLED"));
    assertEquals(List.of(FakeClusterView.JOB), view.cancelled);
    // The secret is in the field only: nothing of it stored by the page.
    assertEquals(0L, browser.script("return sessionStorage.length + localStorage.length;"));
  }

  @Test
  public void theCheckpointPageListsEachStagesSubtasksAndTheirReasonsAsText() throws Exception {
    WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(60));
    browser.driver().get(server.url() + "#checkpoint/" + FakeClusterView.JOB + "/2");
    wait.until(
        d ->
            String.valueOf(browser.script("return document.getElementById('main').textContent;"))
                .contains("Checkpoint 2"));
    @SuppressWarnings("unchecked")
    List<Object> page =
        (List<Object>)
            browser.script(
                "const m = document.getElementById('main');"
                    + " return [m.textContent, m.querySelectorAll('table').length,"
                    + " m.querySelectorAll('b').length];");
    assertThat(String.valueOf(page.get(0)), containsString("FAILED"));
    // Why it failed, as the history says.
    assertThat(String.valueOf(page.get(0)), containsString("Failed: timed out"));
    // One table per stage; the decline's reason is shown as written, not as markup.
    assertEquals(2L, page.get(1));
    assertThat(String.valueOf(page.get(0)), containsString("<b>no</b> state"));
    assertEquals(0L, page.get(2));
    browser.screenshot(SCREENSHOTS, "checkpoint");
  }

  @Test
  public void theStagePageListsEachSubtasksRecordsAndBytes() throws Exception {
    WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(60));
    browser.driver().get(server.url() + "#stage/" + FakeClusterView.JOB + "/1");
    wait.until(
        d -> ((Long) browser.script("return document.querySelectorAll('table.subtasks tr').length;")) == 3);
    @SuppressWarnings("unchecked")
    List<List<String>> rows =
        (List<List<String>>)
            browser.script(
                "return [...document.querySelectorAll('table.subtasks tr')].slice(1)"
                    + ".map(r => [...r.children].map(c => c.textContent));");
    // subtask, attempt, worker, state, records in, bytes in, records out, bytes out, busy, ...
    assertEquals(List.of("0", "1", "w1", "running", "480", "37.5 KiB", "470", "36.7 KiB", "85%"),
        rows.get(0).subList(0, 9));
    assertEquals("ended", rows.get(1).get(3));
    assertEquals("290", rows.get(1).get(6));
    assertEquals("end", rows.get(1).get(12));
    browser.screenshot(SCREENSHOTS, "stage");
  }

  @Test
  public void theWorkerPageShowsHeapDiskAndRocksDbMemory() throws Exception {
    WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(60));
    browser.driver().get(server.url());
    wait.until(
        d -> (Boolean) browser.script("return document.querySelector('a[href=\"#worker/w1\"]') !== null;"));
    browser.driver().get(server.url() + "#worker/w1");
    wait.until(
        d -> ((Long) browser.script("return document.querySelectorAll('table.resources tr').length;")) == 8);
    String text = String.valueOf(browser.script("return document.getElementById('main').textContent;"));
    assertThat(text, containsString("heap used95.4 MiB"));
    assertThat(text, containsString("RocksDB memtables64.0 KiB"));
    assertThat(text, containsString("running subtasks"));
    browser.screenshot(SCREENSHOTS, "worker");
  }
}
