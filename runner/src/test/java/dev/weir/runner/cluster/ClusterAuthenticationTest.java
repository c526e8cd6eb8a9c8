package dev.weir.runner.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.weir.worker.security.ClusterCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A cluster of processes with security on (the default) runs the jobs of a client that holds the
 * cluster's credentials, and refuses, with an error that says why, a client with no credentials,
 * one with a wrong secret and one whose certificate another CA signed: none of their jobs runs.
 * With {@code --insecure} everywhere, jobs run too.
 */
public class ClusterAuthenticationTest {
  @Rule public org.junit.rules.Timeout timeout = org.junit.rules.Timeout.seconds(300);
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static LocalProcessCluster cluster;

  @BeforeClass
  public static void startCluster() throws Exception {
    cluster =
        LocalProcessCluster.withCoordinatorInThisJvm(Paths.get("target/cluster-authentication"));
    try {
      // Two slots: the jobs run at the default parallelism, 2, on this one worker.
      cluster.startWorker("worker-a", "--slots=2");
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

  /** Writes a file per element into {@code dir}: what shows that a job ran. */
  private static class MarkFn extends DoFn<Integer, Void> {
    private final String dir;

    MarkFn(String dir) {
      this.dir = dir;
    }

    @ProcessElement
    public void process(@Element Integer n) throws IOException {
      Files.writeString(Paths.get(dir, "element-" + n), "ran");
    }
  }

  private Path markers() throws IOException {
    return tmp.newFolder().toPath().toAbsolutePath();
  }

  private static Pipeline markingPipeline(Path markers, String master, String... security) {
    List<String> args = new ArrayList<>(List.of("--runner=WeirRunner", "--weirMaster=" + master));
    args.addAll(List.of(security));
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create());
    p.apply(Create.of(1, 2, 3)).apply(ParDo.of(new MarkFn(markers.toString())));
    return p;
  }

  private static long count(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Submitting with {@code security} fails naming the coordinator and {@code why}; a job of the
   * cluster's own client submitted after it runs to the end, and the refused job never wrote
   * anything.
   */
  private void assertRefused(String why, String... security) throws Exception {
    Path refusedMarkers = markers();
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> markingPipeline(refusedMarkers, cluster.master(), security).run());
    assertThat(
        refused.getMessage(),
        containsString(
            "The Weir coordinator at --weirMaster="
                + cluster.master()
                + " and this client: authentication failed: "));
    assertThat(refused.getMessage(), containsString(why));

    Path admittedMarkers = markers();
    PipelineResult admitted =
        markingPipeline(admittedMarkers, cluster.master(), cluster.securityArgument()).run();
    assertEquals(PipelineResult.State.DONE, admitted.waitUntilFinish());
    assertEquals(3, count(admittedMarkers));
    assertEquals("the refused job ran", 0, count(refusedMarkers));
  }

  @Test
  public void aClientWithTheClusterCredentialsRunsItsJob() throws Exception {
    Path markers = markers();
    PipelineResult result =
        markingPipeline(markers, cluster.master(), cluster.securityArgument()).run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    assertEquals(3, count(markers));
  }

  @Test
  public void aClientWithoutCredentialsIsRefused() throws Exception {
    assertRefused("the peer closed this plaintext connection", "--insecure");
  }

  @Test
  public void aClientWithAWrongSecretIsRefused() throws Exception {
    Path dir = tmp.newFolder("wrong-secret").toPath().resolve("security");
    ClusterCredentials.read(cluster.securityDir()).withSecret("0123456789abcdef").write(dir);
    assertRefused("Weir refused the call: wrong cluster secret", "--securityDir=" + dir);
  }

  @Test
  public void aClientWithACertificateOfAnotherCaIsRefused() throws Exception {
    // It knows the secret and trusts the cluster's CA; only its certificate is foreign.
    Path dir = tmp.newFolder("other-ca").toPath().resolve("security");
    ClusterCredentials.generate(Duration.ofDays(1))
        .trusting(ClusterCredentials.read(cluster.securityDir()))
        .write(dir);
    assertRefused(
        "the peer refused this process's certificate in the TLS handshake",
        "--securityDir=" + dir);
  }

  @Test
  public void aClientOfAnotherClusterRefusesTheCoordinator() throws Exception {
    Path dir = tmp.newFolder("other-cluster").toPath().resolve("security");
    ClusterCredentials.generate(Duration.ofDays(1)).write(dir);
    assertRefused(
        "the peer's certificate is not signed by this process's cluster CA",
        "--securityDir=" + dir);
  }

  @Test
  public void anInsecureClusterRunsTheJobsOfAnInsecureClient() throws Exception {
    try (LocalProcessCluster insecure =
        LocalProcessCluster.insecureWithCoordinatorInThisJvm(
            Paths.get("target/cluster-authentication-insecure"))) {
      insecure.startWorker("worker-insecure", "--slots=2");
      Path markers = markers();
      PipelineResult result = markingPipeline(markers, insecure.master(), "--insecure").run();
      assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
      assertEquals(3, count(markers));
    }
  }
}
