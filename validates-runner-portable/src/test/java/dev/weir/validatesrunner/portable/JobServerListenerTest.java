package dev.weir.validatesrunner.portable;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.Description;
import org.junit.runner.Result;

public class JobServerListenerTest {

  private final String before = System.getProperty(JobServerListener.OPTIONS_PROPERTY);

  @After
  public void restoreOptions() {
    if (before == null) {
      System.clearProperty(JobServerListener.OPTIONS_PROPERTY);
    } else {
      System.setProperty(JobServerListener.OPTIONS_PROPERTY, before);
    }
  }

  @Test
  public void theSuitesOptionsAreBeamsUlrLoopbackOptionsPointingAtThePort() throws Exception {
    String[] options =
        new ObjectMapper().readValue(JobServerListener.pipelineOptions(8123), String[].class);
    assertArrayEquals(
        new String[] {
          "--runner=TestUniversalRunner",
          "--experiments=beam_fn_api",
          "--defaultEnvironmentType=LOOPBACK",
          "--jobEndpoint=localhost:8123"
        },
        options);
  }

  /** The real job server from portability's build (Maven passes its location). */
  @Test
  public void theRunStartsWeirsJobServerPointsTheOptionsAtItAndStopsItAtTheEnd() throws Exception {
    JobServerListener listener = new JobServerListener();
    listener.testRunStarted(Description.EMPTY);
    String options = System.getProperty(JobServerListener.OPTIONS_PROPERTY);
    int port =
        Integer.parseInt(options.replaceAll(".*--jobEndpoint=localhost:(\\d+).*", "$1"));
    try (Socket connected = new Socket("localhost", port)) {
      assertTrue(connected.isConnected());
    }

    listener.testRunFinished(new Result());

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    boolean refused = false;
    while (!refused && System.nanoTime() < deadline) {
      try (Socket ignored = new Socket("localhost", port)) {
        Thread.sleep(200);
      } catch (IOException e) {
        refused = true;
      }
    }
    assertEquals("the job server still accepts connections after the run", true, refused);
  }
}
