package dev.weir.dist;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.jobmanagement.v1.JobServiceGrpc;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannel;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannelBuilder;
import org.junit.After;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Starts the tarball's {@code bin/weir-job-server} as a process and calls its Job API: the script
 * passes {@code --port}, forwards the job server's other options, and lib/ holds the portability
 * module with everything it needs. Running pipelines through the job server is tested in the
 * portability module (Java harnesses, and the TypeScript SDK's own suite).
 */
public class JobServerFromTarballTest {
  private static final long START_SECONDS = 90;
  private static final Path WORK = Paths.get("target", "job-server-from-tarball").toAbsolutePath();

  private static Path home;

  private final List<ScriptProcess> started = new ArrayList<>();

  @BeforeClass
  public static void unpack() throws Exception {
    deleteRecursively(WORK);
    Files.createDirectories(WORK);
    Path tarball = Paths.get(System.getProperty("weir.dist.tarball"));
    assertTrue("no tarball at " + tarball + "; run mvn package", Files.isRegularFile(tarball));
    Process tar =
        new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", WORK.toString())
            .inheritIO()
            .start();
    assertTrue("tar xzf " + tarball + " still running", tar.waitFor(120, TimeUnit.SECONDS));
    assertEquals("tar xzf " + tarball, 0, tar.exitValue());
    home = WORK.resolve("weir-" + System.getProperty("weir.dist.version"));
  }

  @After
  public void stopEverything() throws Exception {
    for (ScriptProcess p : started) {
      p.close();
    }
  }

  @Test
  public void jobServerStartedByTheScriptAnswersTheJobApiOnThePortItWasGiven() throws Exception {
    assertTrue(Files.isExecutable(home.resolve("bin/weir-job-server")));
    ScriptProcess server =
        start(
            "job-server",
            "WEIR_JOB_SERVER_LISTENING",
            "bin/weir-job-server",
            "--port",
            "0",
            // Forwarded in both spellings.
            "--maxJobs",
            "5",
            "--jobRetentionSeconds=60");
    String listening = server.awaitMarker(START_SECONDS);
    int port = Integer.parseInt(listening.substring(listening.indexOf("port=") + 5).trim());
    assertNotEquals(0, port);

    ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    try {
      JobApi.GetJobsResponse jobs =
          JobServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .getJobs(JobApi.GetJobsRequest.getDefaultInstance());
      assertEquals(0, jobs.getJobInfoCount());
      JobApi.DescribePipelineOptionsResponse options =
          JobServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .describePipelineOptions(JobApi.DescribePipelineOptionsRequest.getDefaultInstance());
      // Weir's own options are among those the job server describes to SDKs.
      assertTrue(
          options.toString(),
          options.getOptionsList().stream().anyMatch(o -> o.getName().equals("parallelism")));
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  public void anOptionTheJobServerDoesNotKnowIsRefusedByName() throws Exception {
    ScriptProcess server =
        start("job-server-refused", null, "bin/weir-job-server", "--port", "0", "--parallel=3");
    int exit = server.awaitExit(START_SECONDS);
    String output = server.output();
    assertTrue(output, output.contains("Unknown argument --parallel"));
    assertNotEquals(output, 0, exit);
  }

  private ScriptProcess start(String label, String marker, String... command) throws IOException {
    List<String> line = new ArrayList<>(List.of(command));
    line.set(0, home.resolve(command[0]).toString());
    ScriptProcess p =
        ScriptProcess.start(
            label,
            home,
            Map.of(
                "JAVA_HOME", System.getProperty("java.home"),
                // Small heap, C1 only: the machine is shared with the rest of the build.
                "WEIR_JAVA_OPTS", "-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"),
            WORK.resolve("logs"),
            marker,
            line);
    started.add(p);
    return p;
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Collections.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
