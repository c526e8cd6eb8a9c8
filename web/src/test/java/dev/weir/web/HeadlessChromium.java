package dev.weir.web;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium in headless mode through its ChromeDriver, for browser tests: both paths set
 * explicitly so Selenium downloads nothing; no sandbox (tests run as root), background networking
 * off (this machine's network is closed), a fresh profile directory removed on {@link #close}.
 */
public final class HeadlessChromium implements AutoCloseable {
  public static final String CHROMIUM = "/usr/bin/chromium";
  public static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  private final WebDriver driver;
  private final Path profile;

  private HeadlessChromium(WebDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Starts a browser; fails, saying what to install, if Chromium or its driver is missing. */
  public static HeadlessChromium start() throws IOException {
    if (!new File(CHROMIUM).canExecute() || !new File(CHROMEDRIVER).canExecute()) {
      throw new AssertionError(
          "Browser tests need Debian's chromium and chromium-driver (apt-get install chromium"
              + " chromium-driver; .ci/run does), at "
              + CHROMIUM
              + " and "
              + CHROMEDRIVER);
    }
    Path profile = Files.createTempDirectory("weir-ui-test-profile");
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
    return new HeadlessChromium(new ChromeDriver(service, options), profile);
  }

  public WebDriver driver() {
    return driver;
  }

  /** Runs {@code javascript} in the page and returns its value (one run: atomic in the page). */
  public Object script(String javascript) {
    return ((JavascriptExecutor) driver).executeScript(javascript);
  }

  /** Saves the page as {@code dir/name.png}. */
  public void screenshot(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    File png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(png.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() throws IOException {
    driver.quit();
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
