package dev.weir.web;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code .ci/run} installs; their paths are set explicitly so nothing is downloaded): the overview
 * lists the job, the job page shows each stage's Beam steps, a long name shortened with the full
 * name on hover, a step named {@code <script>...} as text that never runs, and a stage's busy and
 * backpressured time. Each page is saved as a PNG under {@code target/ui-screenshots/}.
 */
public class WebUiBrowserTest {
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  private static final Path SCREENSHOTS = Paths.get("target", "ui-screenshots");

  private WebServer server;
  private WebDriver driver;
  private Path profile;

  @Before
  public void start() throws Exception {
    assertTrue(
        "Browser tests need Debian's chromium and chromium-driver (apt-get install chromium"
            + " chromium-driver), at " + CHROMIUM + " and " + CHROMEDRIVER,
        new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute());
    server = WebServer.start(WebSettings.loopback(0), new FakeClusterView());
    profile = Files.createTempDirectory("weir-ui-test-profile");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
    Files.createDirectories(SCREENSHOTS);
  }

  @After
  public void stop() throws Exception {
    if (driver != null) {
      driver.quit();
    }
    if (server != null) {
      server.close();
    }
    if (profile != null) {
      try (java.util.stream.Stream<Path> files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @Test
  public void overviewListsTheJobAndTheJobPageShowsItsStepsAsText() throws Exception {
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
    driver.get(server.url());
    wait.until(
        d ->
            String.valueOf(script("return document.getElementById('main').textContent;"))
                .contains("wordcount"));
    assertThat(
        String.valueOf(script("return document.getElementById('version').textContent;")),
        containsString("0.1.0"));
    screenshot("overview");

    // The page refreshes itself every 2 s, replacing its elements: read what a test checks in
    // one script run, never from elements found earlier.
    assertEquals(
        "#job/" + FakeClusterView.JOB,
        script("return document.querySelector('a[href^=\"#job/\"]').getAttribute('href');"));
    driver.get(server.url() + "#job/" + FakeClusterView.JOB);
    wait.until(d -> ((Long) script("return document.querySelectorAll('.stage').length;")) == 2);
    @SuppressWarnings("unchecked")
    List<List<String>> steps =
        (List<List<String>>)
            script(
                "return [...document.querySelectorAll('.stage .step')]"
                    + ".map(e => [e.textContent, e.title]);");
    assertEquals(4, steps.size());
    // Markup in a name is text: shown as written, no element made of it, nothing run.
    assertEquals(FakeClusterView.SCRIPT_STEP, steps.get(2).get(0));
    assertEquals(1L, script("return document.querySelectorAll('script').length;"));
    assertThrows(NoAlertPresentException.class, () -> driver.switchTo().alert());
    // The 300-character name is shortened on the page, whole on hover.
    assertThat(steps.get(3).get(0).length(), lessThanOrEqualTo(61));
    assertEquals(FakeClusterView.LONG_STEP, steps.get(3).get(1));
    // Stage 1's busiest subtask: 850 ms/s busy, so the box is marked busy.
    @SuppressWarnings("unchecked")
    List<String> stage1 =
        (List<String>)
            script(
                "const s = document.querySelectorAll('.stage')[1];"
                    + " return [s.textContent, s.className];");
    assertThat(stage1.get(0), containsString("busy 85%, backpressured 5%"));
    assertThat(stage1.get(1), containsString("busy"));
    screenshot("job");
  }

  private Object script(String javascript) {
    return ((JavascriptExecutor) driver).executeScript(javascript);
  }

  private void screenshot(String name) throws Exception {
    File png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(png.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }
}
