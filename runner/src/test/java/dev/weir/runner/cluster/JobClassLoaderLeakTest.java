package dev.weir.runner.cluster;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.worker.control.WorkerProcess;
import dev.weir.worker.security.ClusterSecurity;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * 100 jobs, each with its jar staged (a jar no Weir process has on its class path), run one after
 * the other on one worker: each gets a class loader of its own, and once the jobs have ended no
 * job's loader stays reachable and the worker has not kept their classes.
 *
 * <p>The coordinator and the worker run inside this JVM (a {@link WorkerProcess} started in it,
 * with its real control and exchange servers and artifact cache): the loaded-class count and the
 * weak references to the job loaders can only be read in the worker's own JVM.
 */
public class JobClassLoaderLeakTest {
  private static final int JOBS = 100;
  private static final int WARM_UP_JOBS = 10;

  /**
   * Classes the worker may still load for the first time after the warm-up (a rarer code path),
   * far below the two or more classes every leaked job would keep (its DoFn and the DoFn invoker
   * Beam generates for it: at least 180 for the 90 jobs after the warm-up).
   */
  private static final int NEW_CLASSES_ALLOWED = 60;

  @Rule public Timeout timeout = Timeout.seconds(600);

  private static final String DOUBLER =
      "package userjob;\n"
          + "import org.apache.beam.sdk.transforms.DoFn;\n"
          + "import org.apache.beam.sdk.values.KV;\n"
          + "public class Doubler extends DoFn<KV<Long, Iterable<Long>>, Long> {\n"
          + "  @Setup public void setup() {\n"
          + "    dev.weir.runner.cluster.LoaderProbe.seen(getClass().getClassLoader());\n"
          + "  }\n"
          + "  @ProcessElement public void process(@Element KV<Long, Iterable<Long>> e,"
          + " OutputReceiver<Long> out) {\n"
          + "    for (Long n : e.getValue()) { out.output(n * 2); }\n"
          + "  }\n"
          + "}\n";

  @Test
  public void aHundredJobsLeaveNoClassLoaderAndNoClassesBehind() throws Exception {
    Path dir = Files.createDirectories(Paths.get("target/job-class-loader-leak"));
    UserJar jar = UserJar.compile(dir, "userjob.Doubler", DOUBLER);
    LoaderProbe.clear();
    ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
    try (WeirClusterCoordinator coordinator =
            WeirClusterCoordinator.start(
                "127.0.0.1", 0, ClusterSecurity.insecure("The test's coordinator"));
        URLClassLoader client = jar.loader()) {
      String master = "127.0.0.1:" + coordinator.port();
      WorkerProcess worker =
          WorkerProcess.startInThisJvm(
              Map.of(
                  "coordinator", master,
                  "name", "leak-worker",
                  "insecure", "true",
                  "stateBackend", "memory",
                  "artifactCacheDir", Files.createTempDirectory(dir, "cache").toString()));
      try {
        Class<?> doubler = client.loadClass("userjob.Doubler");
        long baseline = -1;
        for (int i = 0; i < JOBS; i++) {
          runJob(master, (DoFn<?, ?>) doubler.getDeclaredConstructor().newInstance());
          if (i == WARM_UP_JOBS - 1) {
            awaitCollected(0);
            baseline = loadedAfterGc(classes);
          }
        }
        assertEquals("every job ran in a loader of its own", JOBS, LoaderProbe.seenCount());
        awaitCollected(0);
        assertEquals(0, worker.node().loaders().openLoaders());
        long after = loadedAfterGc(classes);
        System.out.printf(
            "Loaded classes after %d jobs: %d; after %d jobs: %d (%d classes unloaded in all)%n",
            WARM_UP_JOBS, baseline, JOBS, after, classes.getUnloadedClassCount());
        assertTrue(
            "loaded classes grew from " + baseline + " to " + after + " over "
                + (JOBS - WARM_UP_JOBS) + " jobs",
            after - baseline <= NEW_CLASSES_ALLOWED);
      } finally {
        worker.close();
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void runJob(String master, DoFn<?, ?> doubler) {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--master=" + master,
                    "--insecure",
                    "--parallelism=1",
                    "--noProgressTimeoutSeconds=0")
                .create());
    p.apply(Create.of(1L, 2L, 3L))
        .apply(WithKeys.of(1L))
        .apply(GroupByKey.create())
        .apply(
            ParDo.of(
                (DoFn<org.apache.beam.sdk.values.KV<Long, Iterable<Long>>, Long>) doubler));
    PipelineResult result = p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
  }

  /** Collects garbage until at most {@code alive} recorded job loaders are reachable (60 s). */
  private static void awaitCollected(int alive) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (LoaderProbe.alive() > alive && System.currentTimeMillis() < deadline) {
      System.gc();
      Thread.sleep(200);
    }
    assertEquals(
        "job class loaders still reachable after the jobs ended", alive, LoaderProbe.alive());
  }

  private static long loadedAfterGc(ClassLoadingMXBean classes) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return classes.getLoadedClassCount();
  }
}
