package dev.weir.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import dev.weir.runner.WeirPipelineResult;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * What the web UI and metrics cost a job: the bounded GroupByKey pipeline ({@link
 * GroupByKeySumPipeline}) on the embedded cluster without a web server, and with {@code
 * --webPort=0} and a scraper in the same JVM that reads {@code /metrics} every second and, every 2
 * s, what the UI's job page reads (the job with its backpressure hint, each stage, metrics,
 * checkpoints, exceptions, watermarks). Alternating run by run (which goes first alternates too),
 * after one warm-up of each. Prints each run's wall seconds and the process's CPU seconds, and the
 * scraper thread's own CPU seconds, which a real browser or Prometheus would spend elsewhere; the
 * summary compares medians: wall on ÷ off, and CPU on (less the scraper's) ÷ off.
 *
 * <pre>{@code
 * mvn -B -o -q -pl benchmarks -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx4g -cp benchmarks/target/classes:$(cat /tmp/cp.txt) \
 *   dev.weir.benchmarks.WebOverheadBenchmark --elements=1000000 --keys=100000 --rounds=4
 * }</pre>
 */
public final class WebOverheadBenchmark {
  private WebOverheadBenchmark() {}

  private record Run(long wallNanos, long cpuNanos, long scraperCpuNanos, long scrapes) {}

  public static void main(String[] argv) throws Exception {
    PipelineOptionsFactory.register(BenchmarkOptions.class);
    List<String> passed = new ArrayList<>(List.of(argv));
    int rounds = AlternatingRounds.takeRounds(passed, 4);
    passed.add("--runner=WeirRunner");
    List<String> onArgs = new ArrayList<>(passed);
    onArgs.add("--webPort=0");
    RunnerOptions off = new RunnerOptions(passed.toArray(new String[0]));
    RunnerOptions on = new RunnerOptions(onArgs.toArray(new String[0]));
    BenchmarkOptions options = off.forRunner("WeirRunner");
    GroupByKeySumPipeline timed = new GroupByKeySumPipeline(options.getElements(), options.getKeys());
    GroupByKeySumPipeline warmup =
        new GroupByKeySumPipeline(options.getWarmupElements(), options.getKeys());
    for (int i = 0; i < options.getWarmupRuns(); i++) {
      run(warmup, off, false);
      run(warmup, on, true);
    }
    List<Run> offRuns = new ArrayList<>();
    List<Run> onRuns = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      boolean onFirst = i % 2 == 1;
      for (boolean web : onFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
        Run r = run(timed, web ? on : off, web);
        (web ? onRuns : offRuns).add(r);
        System.out.printf(
            "  round %d %-12s wall %6.2f s  CPU %6.2f s  scraper CPU %5.2f s (%d page reads + scrapes)%n",
            i + 1, web ? "web on" : "web off", r.wallNanos / 1e9, r.cpuNanos / 1e9,
            r.scraperCpuNanos / 1e9, r.scrapes);
      }
    }
    double offWall = median(offRuns, Run::wallNanos);
    double onWall = median(onRuns, Run::wallNanos);
    double offCpu = median(offRuns, Run::cpuNanos);
    double onCpu = median(onRuns, r -> r.cpuNanos - r.scraperCpuNanos);
    System.out.printf(
        "%nGroupByKey, %,d elements, %,d keys, %d rounds alternating:%n"
            + "  median wall: off %.2f s, on %.2f s, on/off %.3f%n"
            + "  median CPU: off %.2f s, on (less the scraper) %.2f s, on/off %.3f%n",
        timed.elements(), options.getKeys(), rounds, offWall / 1e9, onWall / 1e9, onWall / offWall,
        offCpu / 1e9, onCpu / 1e9, onCpu / offCpu);
  }

  private interface Field {
    long of(Run r);
  }

  private static double median(List<Run> runs, Field field) {
    long[] values = runs.stream().mapToLong(field::of).toArray();
    Arrays.sort(values);
    return values.length % 2 == 1
        ? values[values.length / 2]
        : (values[values.length / 2 - 1] + values[values.length / 2]) / 2.0;
  }

  private static Run run(GroupByKeySumPipeline job, RunnerOptions options, boolean web)
      throws Exception {
    Pipeline p = job.create(options.forRunner("WeirRunner"));
    System.gc();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpuStart = os.getProcessCpuTime();
    long start = System.nanoTime();
    PipelineResult result = p.run();
    Scraper scraper = null;
    if (web) {
      String url = ((WeirPipelineResult) result).webUrl().orElseThrow();
      scraper = new Scraper(url.substring(0, url.length() - 1));
      scraper.start();
    }
    PipelineResult.State state = result.waitUntilFinish();
    long wall = System.nanoTime() - start;
    long scraperCpu = 0;
    long scrapes = 0;
    if (scraper != null) {
      scraperCpu = scraper.stopAndCpu();
      scrapes = scraper.reads.get();
    }
    long cpu = os.getProcessCpuTime() - cpuStart;
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("Pipeline ended " + state + ", not DONE");
    }
    job.verify(result);
    return new Run(wall, cpu, scraperCpu, scrapes);
  }

  /** Reads what Prometheus and an open job page would, until stopped; counts its own CPU. */
  private static final class Scraper extends Thread {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong reads = new AtomicLong();
    private volatile long cpuNanos;

    Scraper(String base) {
      super("web-overhead-scraper");
      this.base = base;
      setDaemon(true);
    }

    @Override
    public void run() {
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long next = 0;
      int tick = 0;
      try {
        while (!stop.get()) {
          long now = System.currentTimeMillis();
          if (now >= next) {
            read("/metrics");
            if (tick++ % 2 == 0) {
              jobPage();
            }
            next = now + 1000;
          }
          Thread.sleep(20);
          cpuNanos = threads.getCurrentThreadCpuTime();
        }
      } catch (InterruptedException e) {
        // Stopped.
      } catch (IOException | RuntimeException e) {
        // The job's server closes when the job ends: a read racing the end fails; the rest stand.
      }
      cpuNanos = threads.getCurrentThreadCpuTime();
    }

    private void jobPage() throws IOException {
      JsonNode jobs = JSON.readTree(read("/api/v1/jobs")).path("jobs");
      if (jobs.isEmpty()) {
        return;
      }
      String job = "/api/v1/jobs/" + jobs.get(0).path("id").asText();
      JsonNode stages = JSON.readTree(read(job)).path("stages");
      for (String part : List.of("/metrics", "/checkpoints", "/exceptions", "/watermarks")) {
        read(job + part);
      }
      for (JsonNode stage : stages) {
        read(job + "/stages/" + stage.path("id").asInt());
      }
    }

    private String read(String path) throws IOException {
      HttpURLConnection c = (HttpURLConnection) new URL(base + path).openConnection();
      try (InputStream in = c.getInputStream()) {
        reads.incrementAndGet();
        return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      } finally {
        c.disconnect();
      }
    }

    long stopAndCpu() throws InterruptedException {
      stop.set(true);
      interrupt();
      join(10_000);
      return cpuNanos;
    }
  }
}
