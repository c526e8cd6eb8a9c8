package dev.weir.benchmarks.web;

import com.sun.management.OperatingSystemMXBean;
import dev.weir.web.WebServer;
import dev.weir.web.WebSettings;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Latency of the web server's two heaviest reads for a wide job: {@code GET /metrics} and {@code
 * GET /api/v1/jobs/{id}} (which also computes the backpressure hint over every stage) of one job
 * with {@code --stages} stages at {@code --parallelism} (default 100 × 8), over a synthetic {@link
 * SyntheticClusterView} (the coordinator's own view would add reading its state). One client,
 * requests one after the other on loopback, {@code --warmup} then {@code --requests} of each,
 * alternating in rounds of 100 so load on the machine hits both alike. Prints p50, p99 and max
 * wall milliseconds, the response size, and the process CPU milliseconds per request (server and
 * client together).
 *
 * <p>With {@code --real}, the view is the coordinator's own over a streaming job on the embedded
 * cluster: {@code GenerateSequence} at 100 elements per second through {@code stages - 1} random-key
 * reshuffles at {@code --parallelism}, heap state, its web server on {@code --webPort=0}; measured
 * once every stage has reported its time use. (The job's own threads share the machine.) With
 * {@code --pauseMillis=1100} each request waits 1.1 s first, so it finds a new generation of the
 * coordinator's view and pays for a whole reading and rendering (alternating one request per path).
 *
 * <pre>{@code
 * mvn -B -o -q -pl benchmarks -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx1g -cp benchmarks/target/classes:$(cat /tmp/cp.txt) \
 *   dev.weir.benchmarks.web.WebLatencyBenchmark --stages=100 --parallelism=8 --requests=2000
 * }</pre>
 */
public final class WebLatencyBenchmark {
  /**
   * Sleep before each timed request (not timed): with more than the view's reading interval (1 s
   * for the coordinator's), every request finds a new generation and renders afresh.
   */
  private static int pauseMillis;

  /**
   * After the timed requests, wait this long without a request (past the server's 60 s of
   * keeping read paths warm), then report the web server threads' CPU over {@code --idleMillis}.
   */
  private static int quietMillis;

  private static int idleMillis;

  private WebLatencyBenchmark() {}

  public static void main(String[] argv) throws Exception {
    int stages = intArg(argv, "stages", 100);
    int parallelism = intArg(argv, "parallelism", 8);
    int requests = intArg(argv, "requests", 2000);
    int warmup = intArg(argv, "warmup", 500);
    boolean real = java.util.Arrays.asList(argv).contains("--real");
    pauseMillis = intArg(argv, "pauseMillis", 0);
    quietMillis = intArg(argv, "quietMillis", 65_000);
    idleMillis = intArg(argv, "idleMillis", 0);
    if (real) {
      RealJob job = RealJob.start(stages, parallelism);
      try {
        String dump = stringArg(argv, "dumpTo");
        if (dump != null) {
          // What the measured responses hold, to check them: one scrape and one jobs/{id}.
          java.nio.file.Files.writeString(
              java.nio.file.Path.of(dump + ".metrics.txt"), read(job.base() + "/metrics"));
          java.nio.file.Files.writeString(
              java.nio.file.Path.of(dump + ".job.json"),
              read(job.base() + "/api/v1/jobs/" + job.id()));
        }
        measure(job.base(), "/api/v1/jobs/" + job.id(), stages, parallelism, requests, warmup, "coordinator's view of a running embedded job");
      } finally {
        job.cancel();
      }
      return;
    }
    try (WebServer server =
        WebServer.start(WebSettings.loopback(0), new SyntheticClusterView(stages, parallelism))) {
      measure(
          "http://127.0.0.1:" + server.port(),
          "/api/v1/jobs/" + SyntheticClusterView.JOB,
          stages,
          parallelism,
          requests,
          warmup,
          "synthetic view");
    }
  }

  private static void measure(
      String base, String jobPath, int stages, int parallelism, int requests, int warmup, String what)
      throws Exception {
    String[] paths = {"/metrics", jobPath};
    {
      for (int i = 0; i < warmup; i++) {
        for (String path : paths) {
          get(base + path);
        }
      }
      long[][] nanos = new long[paths.length][requests];
      long[] cpu = new long[paths.length];
      long[] serverCpu = new long[paths.length];
      long[] bytes = new long[paths.length];
      OperatingSystemMXBean os =
          (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      int round = pauseMillis > 0 ? 1 : 100;
      Map<Long, Long> timedStart = serverThreadsCpuById();
      long timedStartNanos = System.nanoTime();
      for (int done = 0; done < requests; done += round) {
        for (int p = 0; p < paths.length; p++) {
          long cpuStart = os.getProcessCpuTime();
          long serverStart = serverThreadsCpu();
          for (int i = done; i < Math.min(requests, done + round); i++) {
            if (pauseMillis > 0) {
              Thread.sleep(pauseMillis);
            }
            long start = System.nanoTime();
            bytes[p] = get(base + paths[p]);
            nanos[p][i] = System.nanoTime() - start;
          }
          cpu[p] += os.getProcessCpuTime() - cpuStart;
          serverCpu[p] += serverThreadsCpu() - serverStart;
        }
      }
      long timedWallNanos = System.nanoTime() - timedStartNanos;
      long timedServerCpu = cpuSince(timedStart);
      System.out.printf(
          "%s, %d stages x parallelism %d (%d subtasks), %d requests each after %d warm-up, one"
              + " client, %d ms pause before each:%n",
          what, stages, parallelism, stages * parallelism, requests, warmup, pauseMillis);
      for (int p = 0; p < paths.length; p++) {
        long[] sorted = nanos[p].clone();
        Arrays.sort(sorted);
        System.out.printf(
            "  GET %-28s %,9d bytes  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  CPU %.2f ms/request"
                + " (process), %.2f ms/request (web server threads)%n",
            paths[p].startsWith("/api") ? "/api/v1/jobs/{id}" : paths[p],
            bytes[p],
            percentile(sorted, 0.50) / 1e6,
            percentile(sorted, 0.99) / 1e6,
            sorted[sorted.length - 1] / 1e6,
            cpu[p] / 1e6 / requests,
            serverCpu[p] / 1e6 / requests);
      }
      System.out.printf(
          "  web server threads (requests and weir-web-refresh) while read: %.1f ms CPU per second"
              + " over %.0f s%n",
          timedServerCpu / 1e6 / (timedWallNanos / 1e9),
          timedWallNanos / 1e9);
      if (idleMillis > 0) {
        Thread.sleep(quietMillis);
        Map<Long, Long> idleStart = serverThreadsCpuById();
        Thread.sleep(idleMillis);
        System.out.printf(
            "  web server threads with no reader, %d s after the last request: %.2f ms CPU per"
                + " second over %d s%n",
            quietMillis / 1000,
            cpuSince(idleStart) / 1e6 / (idleMillis / 1e3),
            idleMillis / 1000);
      }
    }
  }

  /** CPU nanoseconds so far of each web server thread alive now, by thread id. */
  private static Map<Long, Long> serverThreadsCpuById() {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, Long> byId = new HashMap<>();
    for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("weir-web-")) {
        byId.put(info.getThreadId(), Math.max(0, threads.getThreadCpuTime(info.getThreadId())));
      }
    }
    return byId;
  }

  /**
   * CPU nanoseconds the web server threads used since {@code start}: per thread, so one that ended
   * meanwhile (an idle pool thread times out) does not subtract its earlier time.
   */
  private static long cpuSince(Map<Long, Long> start) {
    long total = 0;
    for (Map.Entry<Long, Long> now : serverThreadsCpuById().entrySet()) {
      total += now.getValue() - start.getOrDefault(now.getKey(), 0L);
    }
    return total;
  }

  /** CPU nanoseconds of the web server's request threads so far (those alive now). */
  private static long serverThreadsCpu() {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("weir-web-")) {
        total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return total;
  }

  private static long percentile(long[] sorted, double q) {
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** GETs {@code url}, fails unless 200, returns the body's length. */
  static long get(String url) throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
    try {
      if (c.getResponseCode() != 200) {
        throw new IllegalStateException(url + ": HTTP " + c.getResponseCode());
      }
      long n = 0;
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = c.getInputStream()) {
        for (int r; (r = in.read(buffer)) > 0; ) {
          n += r;
        }
      }
      return n;
    } finally {
      c.disconnect();
    }
  }

  private static String read(String url) throws IOException {
    try (InputStream in = new URL(url).openStream()) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  static String stringArg(String[] argv, String name) {
    for (String arg : argv) {
      if (arg.startsWith("--" + name + "=")) {
        return arg.substring(name.length() + 3);
      }
    }
    return null;
  }

  static int intArg(String[] argv, String name, int defaultValue) {
    for (String arg : argv) {
      if (arg.startsWith("--" + name + "=")) {
        return Integer.parseInt(arg.substring(name.length() + 3));
      }
    }
    return defaultValue;
  }
}
