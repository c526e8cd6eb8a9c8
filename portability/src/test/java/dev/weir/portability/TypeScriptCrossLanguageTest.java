package dev.weir.portability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * A TypeScript SDK pipeline using a Java transform through the expansion service that the job
 * server hosts on its port ({@code typescript-sdk/xlang.js}): Java's GenerateSequence (its
 * registered external URN) runs in an EMBEDDED Java harness inside Weir, the TypeScript map and
 * assert in the submitting node process.
 */
public class TypeScriptCrossLanguageTest {
  private static NodeProject project;

  private WeirJobServer server;

  @BeforeClass
  public static void install() throws Exception {
    project =
        NodeProject.install(
            "typescript-sdk", List.of("package.json", "package-lock.json", "xlang.js"));
  }

  @Before
  public void startServer() throws Exception {
    server =
        WeirJobServer.start(
            Map.of(
                "port",
                "0",
                "artifactsDir",
                Files.createTempDirectory(project.directory(), "artifacts").toString()));
  }

  @After
  public void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private String run(String expected, String logName, int[] exit) throws Exception {
    Path log = project.directory().resolve(logName);
    exit[0] =
        project.run(
            List.of("node", "xlang.js"),
            Map.of("JOB_ENDPOINT", "localhost:" + server.port(), "EXPECTED", expected),
            log,
            10);
    return Files.readString(log);
  }

  @Test
  public void aJavaTransformExpandedByTheJobServerFeedsTypeScriptCode() throws Exception {
    int[] exit = new int[1];
    String output = run("[0, 2, 4, 6, 8]", "xlang.log", exit);
    assertEquals(output, 0, exit[0]);
    assertThat(output, containsString("XLANG_OK"));
  }

  @Test
  public void theAssertAfterTheJavaTransformFailsTheJobWhenItDoesNotHold() throws Exception {
    int[] exit = new int[1];
    String output = run("[0, 2, 4, 6]", "xlang-bad.log", exit);
    assertNotEquals(output, 0, exit[0]);
    assertThat(output, containsString("Job finished in state FAILED"));
    assertThat(output, not(containsString("XLANG_OK")));
  }
}
