package dev.weir.portability;

import java.nio.file.Path;
import java.util.Map;
import org.junit.rules.ExternalResource;
import org.junit.rules.TemporaryFolder;

/**
 * A job server on an ephemeral loopback port, its staged artifacts in a temporary folder, and a
 * client of it, for one test. Chain it inside its {@link TemporaryFolder} so the folder outlives
 * the server.
 */
final class JobServerRule extends ExternalResource {
  private final TemporaryFolder tmp;
  private WeirJobServer server;
  private JobServerClient client;
  private Path artifacts;

  JobServerRule(TemporaryFolder tmp) {
    this.tmp = tmp;
  }

  @Override
  protected void before() throws Exception {
    artifacts = tmp.newFolder("artifacts").toPath();
    // As on a machine without docker, whether or not this one has it.
    server =
        WeirJobServer.start(
            Map.of("port", "0", "artifactsDir", artifacts.toString()),
            new EnvironmentSupport(false));
    client = new JobServerClient(server.port());
  }

  @Override
  protected void after() {
    try {
      if (client != null) {
        client.close();
      }
    } catch (Exception e) {
      throw new IllegalStateException("Cannot close the job server's client", e);
    } finally {
      try {
        if (server != null) {
          server.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException("Cannot close the job server", e);
      }
    }
  }

  JobServerClient client() {
    return client;
  }

  /** Where the server stages the jobs' artifacts. */
  Path artifacts() {
    return artifacts;
  }
}
