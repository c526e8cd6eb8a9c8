package dev.weir.runner;

import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.ServerSocket;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.junit.Test;

public class UnreachableMasterTest {

  @Test
  public void unreachableCoordinatorFailsRunNamingMaster() throws Exception {
    int freePort;
    try (ServerSocket socket = new ServerSocket(0)) {
      freePort = socket.getLocalPort();
    }
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner", "--weirMaster=127.0.0.1:" + freePort, "--insecure")
                .create());
    p.apply(Create.of(1, 2, 3));

    IllegalStateException thrown = assertThrows(IllegalStateException.class, p::run);

    assertTrue(
        thrown.getMessage(), thrown.getMessage().contains("--weirMaster=127.0.0.1:" + freePort));
  }

  @Test
  public void masterWithoutPortIsRejectedNamingTheOption() {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs("--runner=WeirRunner", "--weirMaster=localhost")
                .create());
    p.apply(Create.of(1));

    IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, p::run);

    assertTrue(thrown.getMessage(), thrown.getMessage().contains("--weirMaster must be host:port"));
  }
}
