package dev.weir.validatesrunner.portable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.runner.Description;
import org.junit.runner.Result;
import org.junit.runner.notification.RunListener;

/**
 * Starts Weir's job server before the suite's first test and stops it after the last, registered
 * with Surefire as a JUnit listener. The server runs in a JVM of its own, on its own classpath
 * (Beam 2.70.0; the suite runs on 2.65.0). Once it listens, the system property {@code
 * beamTestPipelineOptions} points every test's pipeline at it: Beam's {@code TestPipeline} reads
 * the property when a test creates its pipeline.
 *
 * <p>System properties: {@code weir.pvr.jobServerClasses} (portability's classes), {@code
 * weir.pvr.jobServerClasspathFile} (its runtime classpath in one line, as {@code
 * dependency:build-classpath} writes it), {@code weir.pvr.jobServerLog} (the server's output) and
 * {@code weir.pvr.jobServerJvmArgs} (space-separated).
 */
public final class JobServerListener extends RunListener {

  static final String OPTIONS_PROPERTY = "beamTestPipelineOptions";
  static final String MAIN_CLASS = "dev.weir.portability.WeirJobServer";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  private JobServerProcess server;

  @Override
  public synchronized void testRunStarted(Description description) throws IOException {
    if (server != null) {
      return;
    }
    server =
        JobServerProcess.start(
            JobServerProcess.javaCommand(
                jvmArgs(), classpath(), MAIN_CLASS, List.of("--port", "0")),
            Path.of(System.getProperty("weir.pvr.jobServerLog", "target/job-server.log")),
            START_TIMEOUT);
    System.setProperty(OPTIONS_PROPERTY, pipelineOptions(server.port()));
    JobServerProcess started = server;
    // A normal exit without testRunFinished (a crashed run): stop it here too. A JVM that is
    // halted or killed runs no hook; then the server ends at the end of its input.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(started)));
    System.out.println("[weir pvr] started " + server);
  }

  @Override
  public synchronized void testRunFinished(Result result) throws IOException {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** The suite's pipeline options, as Beam's ulrLoopbackValidatesRunner sets them. */
  static String pipelineOptions(int port) {
    return "[\"--runner=TestUniversalRunner\",\"--experiments=beam_fn_api\","
        + "\"--defaultEnvironmentType=LOOPBACK\",\"--jobEndpoint=localhost:"
        + port
        + "\"]";
  }

  private static List<String> jvmArgs() {
    String args = System.getProperty("weir.pvr.jobServerJvmArgs", "").strip();
    return args.isEmpty() ? List.of() : Arrays.asList(args.split("\\s+"));
  }

  /** Portability's classes and dependencies, then this module's classes (for ExitWithParent). */
  static String classpath() throws IOException {
    String classes = required("weir.pvr.jobServerClasses");
    Path file = Path.of(required("weir.pvr.jobServerClasspathFile"));
    if (!Files.isDirectory(Path.of(classes)) || !Files.isRegularFile(file)) {
      throw new IOException(
          "the job server is not built: expected " + classes + " and " + file
              + " (build with -am, so that portability's build writes them)");
    }
    List<String> entries = new ArrayList<>();
    entries.add(classes);
    entries.add(Files.readString(file, StandardCharsets.UTF_8).strip());
    try {
      entries.add(
          Path.of(ExitWithParent.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toString());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("system property " + property + " is not set");
    }
    return value;
  }

  private static void closeQuietly(JobServerProcess process) {
    try {
      process.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
