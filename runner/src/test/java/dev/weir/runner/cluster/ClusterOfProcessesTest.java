package dev.weir.runner.cluster;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.weir.worker.control.WorkerProcess;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * A coordinator and two workers as separate JVMs on loopback, started from this test's classpath
 * (which holds the pipelines' classes, as there is no artifact staging yet).
 */
public class ClusterOfProcessesTest {
  /** A job that never ends fails the test instead of hanging the build. */
  @org.junit.Rule
  public org.junit.rules.Timeout timeout = org.junit.rules.Timeout.seconds(300);

  private static final long START_TIMEOUT_SECONDS = 60;
  private static final List<Process> PROCESSES = new ArrayList<>();
  private static int coordinatorPort;

  @BeforeClass
  public static void startCluster() throws Exception {
    try {
      CompletableFuture<String> listening = new CompletableFuture<>();
      start("coordinator", WeirClusterCoordinator.LISTENING_MARKER, listening,
          WeirClusterCoordinator.class.getName(), "--port=0");
      String line = listening.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      coordinatorPort = Integer.parseInt(line.substring(line.indexOf("port=") + 5).trim());
      List<CompletableFuture<String>> registered = new ArrayList<>();
      for (String name : List.of("worker-a", "worker-b")) {
        CompletableFuture<String> done = new CompletableFuture<>();
        registered.add(done);
        start(name, WorkerProcess.REGISTERED_MARKER, done, WorkerProcess.class.getName(),
            "--coordinator=127.0.0.1:" + coordinatorPort, "--name=" + name);
      }
      for (CompletableFuture<String> done : registered) {
        done.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      stopCluster();
      throw e;
    }
  }

  @AfterClass
  public static void stopCluster() throws InterruptedException {
    for (Process p : PROCESSES) {
      p.destroy();
    }
    for (Process p : PROCESSES) {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      assertFalse("process " + p.pid() + " still running", p.isAlive());
    }
    PROCESSES.clear();
  }

  /** Starts a JVM running {@code mainClass}; {@code marker} completes with the line naming it. */
  private static void start(
      String label, String marker, CompletableFuture<String> seen, String mainClass,
      String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    command.add("-Xmx384m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    File log = new File("target/cluster-processes/" + label + ".log");
    log.getParentFile().mkdirs();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    PROCESSES.add(process);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  // A file, so the processes' logs are readable while the test still runs.
                  try (java.io.FileWriter w = new java.io.FileWriter(log, true)) {
                    w.write(line + System.lineSeparator());
                  }
                  if (line.startsWith(marker)) {
                    seen.complete(line);
                  }
                }
              } catch (IOException e) {
                // The process ended; its stream closed.
              }
              seen.completeExceptionally(
                  new IllegalStateException(label + " ended before printing " + marker));
            },
            "output-of-" + label);
    reader.setDaemon(true);
    reader.start();
  }

  private static Pipeline pipeline() {
    return Pipeline.create(
        PipelineOptionsFactory.fromArgs(
                "--runner=TestWeirRunner", "--weirMaster=127.0.0.1:" + coordinatorPort)
            .create());
  }

  private static class CountingFn extends DoFn<Long, Long> {
    private final Counter seen = Metrics.counter(ClusterOfProcessesTest.class, "seen");

    @ProcessElement
    public void process(@Element Long n, OutputReceiver<Long> out) {
      seen.inc();
      out.output(n);
    }
  }

  @Test
  public void multiStagePipelineRunsOnTwoWorkerProcessesAndReportsMetrics() {
    Pipeline p = pipeline();
    PCollection<KV<Long, Long>> sums =
        p.apply(GenerateSequence.from(0).to(10_000))
            .apply(ParDo.of(new CountingFn()))
            .apply(
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
                    .via(n -> KV.of(n % 100, 1L)))
            .apply(Sum.longsPerKey());
    PAssert.that(sums.apply(Count.globally())).containsInAnyOrder(100L);
    PAssert.that(sums.apply(Values.create()).apply(Sum.longsGlobally()))
        .containsInAnyOrder(10_000L);

    PipelineResult result = p.run();

    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(ClusterOfProcessesTest.class, "seen"))
                    .build());
    long attempted = 0;
    for (MetricResult<Long> counter : metrics.getCounters()) {
      attempted += counter.getAttempted();
    }
    assertEquals(10_000L, attempted);
  }

  @Test
  public void userExceptionInAWorkerProcessReachesTheClientAsTheCause() {
    Pipeline p = pipeline();
    p.apply(GenerateSequence.from(0).to(100))
        .apply(
            MapElements.into(TypeDescriptors.longs())
                .via(
                    n -> {
                      if (n == 42) {
                        throw new IllegalStateException("element 42 is cursed");
                      }
                      return n;
                    }));

    Pipeline.PipelineExecutionException thrown =
        assertThrows(Pipeline.PipelineExecutionException.class, p::run);

    boolean found = false;
    for (Throwable t = thrown; t != null && !found; t = t.getCause()) {
      found = String.valueOf(t.getMessage()).contains("element 42 is cursed");
    }
    assertTrue("cause chain lacks the user's message: " + thrown, found);
  }
}
