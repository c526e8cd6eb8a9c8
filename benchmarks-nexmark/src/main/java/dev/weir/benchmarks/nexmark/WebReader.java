package dev.weir.benchmarks.nexmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a child JVM's Weir web server while its job runs, as Prometheus and an open UI page would:
 * {@code /metrics} every second and, every 2 s, what the UI's job page reads (the jobs, the job
 * with its backpressure hint, metrics, checkpoints, exceptions, watermarks and each stage). It
 * finds the server's URL in the child's log ({@code WebServer} logs it) and runs on a thread of
 * this driver, so its own CPU is not the child's. Errors (the server closes when the job ends)
 * are ignored.
 */
final class WebReader implements AutoCloseable {
  private static final Pattern URL_LINE = Pattern.compile("Web UI and REST API at (http://\\S+?)/?\\s");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path log;
  private final AtomicLong reads = new AtomicLong();
  private final Thread thread;
  private volatile boolean closed;

  private WebReader(Path log) {
    this.log = log;
    this.thread = new Thread(this::loop, "nexmark-web-reader");
    this.thread.setDaemon(true);
  }

  static WebReader start(Path log) {
    WebReader reader = new WebReader(log);
    reader.thread.start();
    return reader;
  }

  /** Responses read in full so far. */
  long reads() {
    return reads.get();
  }

  private void loop() {
    String base = null;
    long tick = 0;
    while (!closed) {
      try {
        if (base == null) {
          base = findUrl();
        }
        if (base != null) {
          read(base + "/metrics");
          if (tick % 2 == 0) {
            readJobPage(base);
          }
          tick++;
        }
        Thread.sleep(base == null ? 100 : 1000);
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        // Not up yet, or closed with its job.
      }
    }
  }

  private String findUrl() throws IOException {
    if (!Files.exists(log)) {
      return null;
    }
    Matcher m = URL_LINE.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
    return m.find() ? m.group(1) : null;
  }

  private void readJobPage(String base) throws IOException {
    JsonNode jobs = JSON.readTree(read(base + "/api/v1/jobs")).path("jobs");
    if (jobs.isEmpty()) {
      return;
    }
    String job = base + "/api/v1/jobs/" + jobs.get(0).path("id").asText();
    JsonNode detail = JSON.readTree(read(job));
    for (String part : List.of("/metrics", "/checkpoints", "/exceptions", "/watermarks")) {
      read(job + part);
    }
    for (JsonNode stage : detail.path("stages")) {
      read(job + "/stages/" + stage.path("id").asText());
    }
  }

  private String read(String url) throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
    try {
      c.setConnectTimeout(5_000);
      c.setReadTimeout(30_000);
      try (InputStream in = c.getInputStream()) {
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        reads.incrementAndGet();
        return body;
      }
    } finally {
      c.disconnect();
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.interrupt();
    thread.join(10_000);
  }
}
