package dev.weir.runner.cluster;

import static org.junit.Assert.assertEquals;

import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Jobs whose classes no Weir process has: their jars are compiled in the test into temporary
 * directories, and the coordinator and the two workers (separate JVMs) run from the test's class
 * path only. The jobs run because their jars are staged to the coordinator and each worker loads a
 * job's classes in a class loader of that job's own.
 */
public class StagedJobsTest {
  @Rule public Timeout timeout = Timeout.seconds(300);

  private static final Path DIR = Paths.get("target/staged-jobs");
  private static LocalProcessCluster cluster;

  @BeforeClass
  public static void startCluster() throws Exception {
    cluster = LocalProcessCluster.withCoordinatorProcess(DIR.resolve("logs"));
    try {
      cluster.startWorker("staged-a", "--stateBackend=memory");
      cluster.startWorker("staged-b", "--stateBackend=memory");
    } catch (Exception e) {
      stopCluster();
      throw e;
    }
  }

  @AfterClass
  public static void stopCluster() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  /**
   * Version {@code version} of {@code userjob.Tagger}: it tags each element with its version; its
   * setup announces itself in the rendezvous directory and waits until the other version's job has
   * done the same, so the two jobs provably run at the same time.
   */
  private static String tagger(String version, String other) {
    return "package userjob;\n"
        + "import java.nio.file.*;\n"
        + "import org.apache.beam.sdk.transforms.DoFn;\n"
        + "public class Tagger extends DoFn<String, String> {\n"
        + "  private final String rendezvous;\n"
        + "  public Tagger(String rendezvous) { this.rendezvous = rendezvous; }\n"
        + "  @Setup public void setup() throws Exception {\n"
        + "    Path dir = Paths.get(rendezvous);\n"
        + "    Files.createDirectories(dir);\n"
        + "    Files.createFile(dir.resolve(\""
        + version
        + "-\" + java.util.UUID.randomUUID()));\n"
        + "    long deadline = System.currentTimeMillis() + 120_000;\n"
        + "    while (true) {\n"
        + "      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, \""
        + other
        + "-*\")) {\n"
        + "        if (s.iterator().hasNext()) { return; }\n"
        + "      }\n"
        + "      if (System.currentTimeMillis() > deadline) {\n"
        + "        throw new IllegalStateException(\"the job of "
        + other
        + " never ran beside this one\");\n"
        + "      }\n"
        + "      Thread.sleep(50);\n"
        + "    }\n"
        + "  }\n"
        + "  @ProcessElement public void process(@Element String s, OutputReceiver<String> out) {\n"
        + "    out.output(\""
        + version
        + ":\" + s);\n"
        + "  }\n"
        + "}\n";
  }

  private static Pipeline pipeline(String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("--runner=TestWeirRunner", cluster.securityArgument()));
    args.addAll(List.of(extraArgs));
    return Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create());
  }

  @Test
  public void twoVersionsOfOneUserClassRunSideBySideEachInItsOwnJob() throws Exception {
    Path rendezvous = Files.createTempDirectory(Files.createDirectories(DIR), "rendezvous");
    UserJar v1 = UserJar.compile(DIR, "userjob.Tagger", tagger("v1", "v2"));
    UserJar v2 = UserJar.compile(DIR, "userjob.Tagger", tagger("v2", "v1"));
    ExecutorService clients = Executors.newFixedThreadPool(2);
    try (URLClassLoader l1 = v1.loader();
        URLClassLoader l2 = v2.loader()) {
      // The jars are found from the classes of the jobs' DoFns (no --filesToStage).
      Future<PipelineResult.State> first =
          clients.submit(() -> runTagger("--weirMaster=" + cluster.master(), l1, rendezvous, "v1"));
      Future<PipelineResult.State> second =
          clients.submit(() -> runTagger("--master=" + cluster.master(), l2, rendezvous, "v2"));
      assertEquals(PipelineResult.State.DONE, first.get(240, TimeUnit.SECONDS));
      assertEquals(PipelineResult.State.DONE, second.get(240, TimeUnit.SECONDS));
    } finally {
      clients.shutdownNow();
    }
  }

  @SuppressWarnings("unchecked")
  private static PipelineResult.State runTagger(
      String masterArg, ClassLoader jobClasses, Path rendezvous, String version) throws Exception {
    DoFn<String, String> tagger =
        (DoFn<String, String>)
            jobClasses
                .loadClass("userjob.Tagger")
                .getDeclaredConstructor(String.class)
                .newInstance(rendezvous.toAbsolutePath().toString());
    Pipeline p = pipeline(masterArg, "--jobName=tagger-" + version);
    PCollection<String> tagged = p.apply(Create.of("a", "b", "c")).apply(ParDo.of(tagger));
    PAssert.that(tagged).containsInAnyOrder(version + ":a", version + ":b", version + ":c");
    return p.run().waitUntilFinish();
  }

  @Test
  public void aJobWhoseJarIsOnlyInFilesToStageRunsWithMaster() throws Exception {
    UserJar jar =
        UserJar.compile(
            DIR,
            "userjob.Shouter",
            "package userjob;\n"
                + "import org.apache.beam.sdk.transforms.DoFn;\n"
                + "public class Shouter extends DoFn<String, String> {\n"
                + "  @ProcessElement public void process(@Element String s,"
                + " OutputReceiver<String> out) {\n"
                + "    out.output(s.toUpperCase() + \"!\");\n"
                + "  }\n"
                + "}\n");
    try (URLClassLoader classes = jar.loader()) {
      @SuppressWarnings("unchecked")
      DoFn<String, String> shouter =
          (DoFn<String, String>)
              classes.loadClass("userjob.Shouter").getDeclaredConstructor().newInstance();
      Pipeline p =
          pipeline("--master=" + cluster.master(), "--filesToStage=" + jar.path().toAbsolutePath());
      PCollection<String> loud = p.apply(Create.of("hey", "you")).apply(ParDo.of(shouter));
      PAssert.that(loud).containsInAnyOrder("HEY!", "YOU!");
      assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    }
  }
}
