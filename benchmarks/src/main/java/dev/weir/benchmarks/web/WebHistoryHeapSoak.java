package dev.weir.benchmarks.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weir.runner.WeirPipelineResult;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ObjectName;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.joda.time.Duration;

/**
 * Whether the coordinator's histories stay bounded over a long run: a streaming job on the
 * embedded cluster with 1 s checkpoints, a DoFn that throws every {@code --failEverySeconds}
 * (each throw restarts the job from its latest checkpoint; retries unlimited in effect), and the
 * web server on, read every 5 s as the UI would ({@code jobs/{id}}, its stages, checkpoints,
 * exceptions, {@code /metrics}). Every {@code --sampleMinutes} it forces a full GC (through the
 * class histogram, which collects first) and prints the used heap after it, the bytes and
 * instances held by the coordinator's history classes ({@code dev.weir.runner.*}, the web views,
 * {@code dev.weir.checkpoint.*}: pending checkpoints and acknowledgements), and the history lengths the REST API reports. The job's workers run in the same JVM, so
 * the heap includes theirs; the history classes are what is the coordinator's alone.
 *
 * <pre>{@code
 * mvn -B -o -q -pl benchmarks -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * CP=benchmarks/target/classes:web/target/classes:runner/target/classes:worker/target/classes:\
 * state-internals/target/classes:checkpointing/target/classes:translation/target/classes:\
 * portability/target/classes:$(cat /tmp/cp.txt)
 * nice -n 19 java -Xmx512m -cp $CP \
 *   dev.weir.benchmarks.web.WebHistoryHeapSoak --minutes=60 --sampleMinutes=5 --failEverySeconds=20
 * }</pre>
 */
public final class WebHistoryHeapSoak {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Wall-clock millis at which the next element seen throws; shared by every subtask here. */
  static final AtomicLong NEXT_FAILURE = new AtomicLong(Long.MAX_VALUE);

  static long failEveryMillis;

  private WebHistoryHeapSoak() {}

  /** Throws once every {@code failEveryMillis}: the first element after the time is due. */
  private static final class FailSometimes extends DoFn<Long, Long> {
    @ProcessElement
    public void process(@Element Long x, OutputReceiver<Long> out) {
      long due = NEXT_FAILURE.get();
      long now = System.currentTimeMillis();
      if (now >= due && NEXT_FAILURE.compareAndSet(due, now + failEveryMillis)) {
        throw new IllegalStateException("injected failure at element " + x);
      }
      out.output(x);
    }
  }

  public static void main(String[] argv) throws Exception {
    int minutes = WebLatencyBenchmark.intArg(argv, "minutes", 60);
    int sampleMinutes = WebLatencyBenchmark.intArg(argv, "sampleMinutes", 5);
    int failEverySeconds = WebLatencyBenchmark.intArg(argv, "failEverySeconds", 20);
    int rate = WebLatencyBenchmark.intArg(argv, "rate", 100);
    int parallelism = WebLatencyBenchmark.intArg(argv, "parallelism", 2);
    failEveryMillis = failEverySeconds * 1000L;
    Path checkpoints = Files.createTempDirectory("weir-soak-checkpoints");
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--webPort=0",
                    "--parallelism=" + parallelism,
                    "--stateBackend=memory",
                    "--jobName=soak",
                    "--checkpointingInterval=1000",
                    "--checkpointDir=" + checkpoints.toUri(),
                    "--numberOfExecutionRetries=" + Integer.MAX_VALUE,
                    "--executionRetryDelay=100")
                .create());
    p.apply("Ticks", GenerateSequence.from(0).withRate(rate, Duration.standardSeconds(1)))
        .apply("Shuffle", Reshuffle.viaRandomKey())
        .apply("FailSometimes", ParDo.of(new FailSometimes()));
    NEXT_FAILURE.set(System.currentTimeMillis() + failEveryMillis);
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    PrintStream out = System.out;
    try {
      String url = result.webUrl().orElseThrow();
      String base = url.substring(0, url.length() - 1);
      String id = JSON.readTree(read(base + "/api/v1/jobs")).path("jobs").get(0).path("id").asText();
      out.printf(
          "soak: %d min, sample every %d min, failure every %d s, %d elements/s, parallelism %d,"
              + " 1 s checkpoints, web %s%n",
          minutes, sampleMinutes, failEverySeconds, rate, parallelism, url);
      out.println(
          "minute  heapAfterGcMiB  historyClassesKiB  restarts  exceptions  checkpointsCompleted"
              + "  historyLen  top history classes (KiB)");
      long start = System.currentTimeMillis();
      long end = start + minutes * 60_000L;
      long nextSample = start;
      while (true) {
        long now = System.currentTimeMillis();
        if (now >= nextSample || now >= end) {
          sample(out, base, id, (now - start) / 60_000.0);
          nextSample += sampleMinutes * 60_000L;
          if (now >= end) {
            break;
          }
        }
        // Read as a browser tab with the UI open would.
        for (String path :
            List.of(
                "/api/v1/jobs/" + id,
                "/api/v1/jobs/" + id + "/watermarks",
                "/api/v1/jobs/" + id + "/metrics",
                "/api/v1/jobs/" + id + "/checkpoints",
                "/api/v1/jobs/" + id + "/exceptions",
                "/metrics")) {
          try {
            read(base + path);
          } catch (java.io.IOException e) {
            // A view may answer 404 between attempts; the soak is about the heap.
          }
        }
        Thread.sleep(5_000);
      }
      out.println("job state at the end: " + result.getState());
    } finally {
      result.cancel();
    }
  }

  private static void sample(PrintStream out, String base, String id, double minute)
      throws Exception {
    Map<String, long[]> history = historyClasses();
    long historyBytes = 0;
    for (long[] v : history.values()) {
      historyBytes += v[1];
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    JsonNode job = JSON.readTree(read(base + "/api/v1/jobs/" + id));
    JsonNode checkpoints = JSON.readTree(read(base + "/api/v1/jobs/" + id + "/checkpoints"));
    JsonNode exceptions = JSON.readTree(read(base + "/api/v1/jobs/" + id + "/exceptions"));
    List<Map.Entry<String, long[]>> top = new ArrayList<>(history.entrySet());
    top.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
    StringBuilder topText = new StringBuilder();
    for (int i = 0; i < Math.min(8, top.size()); i++) {
      Map.Entry<String, long[]> e = top.get(i);
      String name = e.getKey().substring(e.getKey().lastIndexOf('.') + 1);
      topText.append(
          String.format(" %s=%d/%.1f", name, e.getValue()[0], e.getValue()[1] / 1024.0));
    }
    out.printf(
        "%6.1f  %14.1f  %17.1f  %8d  %10d  %20d  %10d %s%n",
        minute,
        heap / 1048576.0,
        historyBytes / 1024.0,
        job.path("job").path("restarts").asLong(-1),
        exceptions.path("exceptions").size(),
        checkpoints.path("counts").path("completed").asLong(),
        checkpoints.path("history").size(),
        topText);
    out.flush();
  }

  /**
   * Instances and bytes by class of the coordinator's own classes ({@code dev.weir.runner}, the
   * web's views, checkpoint coordination and its messages, task ids), from {@code GC.class_histogram} (a full GC first, so only live objects).
   */
  private static Map<String, long[]> historyClasses() throws Exception {
    String histogram =
        (String)
            ManagementFactory.getPlatformMBeanServer()
                .invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram",
                    new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
    Map<String, long[]> classes = new TreeMap<>();
    for (String line : histogram.split("\n")) {
      String[] f = line.trim().split("\\s+");
      // "num: instances bytes class-name (module)"
      if (f.length < 4 || !f[0].endsWith(":")) {
        continue;
      }
      String name = f[3];
      if (name.startsWith("dev.weir.runner.")
          || name.startsWith("dev.weir.web.")
          || name.startsWith("dev.weir.checkpoint.")
          || name.equals("dev.weir.worker.task.TaskId")
          || name.equals("java.lang.StackTraceElement")
          || name.equals("java.lang.IllegalStateException")) {
        classes.put(name, new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
      }
    }
    return classes;
  }

  private static String read(String url) throws java.io.IOException {
    try (InputStream in = new URL(url).openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
