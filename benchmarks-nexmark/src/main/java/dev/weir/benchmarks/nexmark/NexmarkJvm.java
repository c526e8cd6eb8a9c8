package dev.weir.benchmarks.nexmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.nexmark.NexmarkPerf;

/**
 * Runs Nexmark's {@code Main} for one {@link QueryRun} in a JVM of its own and reads back the perf
 * record it appends to {@code --perfFilename}. A JVM per run keeps one runner's threads, heap and
 * JIT state out of the other's figures.
 */
final class NexmarkJvm {

  /** How long a JVM may linger after Nexmark wrote its record (a runner's non-daemon threads). */
  private static final Duration EXIT_GRACE = Duration.ofSeconds(30);

  private static final Duration POLL = Duration.ofMillis(500);

  private final String classPath;
  private final List<String> javaOptions;
  private final Path runDirectory;
  private final Duration timeout;

  NexmarkJvm(String classPath, List<String> javaOptions, Path runDirectory, Duration timeout) {
    this.classPath = classPath;
    this.javaOptions = List.copyOf(javaOptions);
    this.runDirectory = runDirectory;
    this.timeout = timeout;
  }

  RunOutcome run(QueryRun run) throws IOException, InterruptedException {
    Files.createDirectories(runDirectory);
    Path perfFile = runDirectory.resolve(run.stem() + ".perf").toAbsolutePath();
    Path logFile = runDirectory.resolve(run.stem() + ".log");
    // Nexmark appends to the perf file; a record left from an earlier run must not be read back.
    Files.deleteIfExists(perfFile);

    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(javaOptions);
    command.add("-cp");
    command.add(classPath);
    command.add("org.apache.beam.sdk.nexmark.Main");
    command.addAll(run.nexmarkArguments(perfFile));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .start();
    // A driver stopped with Ctrl-C or kill must not leave a runner's JVM behind.
    Thread stopChild = new Thread(process::destroyForcibly, "stop-" + run.stem());
    Runtime.getRuntime().addShutdownHook(stopChild);
    WebReader reader = run.runner() == ComparedRunner.WEIR_WEB ? WebReader.start(logFile) : null;
    try {
      CpuTime cpu = new CpuTime();
      String waitFailure = awaitExit(process, perfFile, cpu);
      if (reader != null) {
        reader.close();
        System.out.printf(
            "%s: %d web reads (scrapes and page reads) while it ran%n", run.stem(), reader.reads());
      }
      NexmarkPerf perf = readPerf(perfFile);
      if (perf == null) {
        return RunOutcome.failed(
            (waitFailure != null ? waitFailure : "exit code " + process.exitValue())
                + ", no perf record; see "
                + logFile);
      }
      if (perf.errors != null && !perf.errors.isEmpty()) {
        return RunOutcome.failed("Nexmark reported " + perf.errors + "; see " + logFile);
      }
      return RunOutcome.measured(perf.eventsPerSec, perf.numResults, cpu.seconds());
    } finally {
      if (reader != null) {
        reader.close();
      }
      if (process.isAlive()) {
        process.destroyForcibly().waitFor();
      }
      Runtime.getRuntime().removeShutdownHook(stopChild);
    }
  }

  /** Null when the JVM exited by itself; otherwise why it was stopped. */
  private String awaitExit(Process process, Path perfFile, CpuTime cpu)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long lingerDeadline = Long.MAX_VALUE;
    while (!process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
      cpu.sample(process);
      long now = System.nanoTime();
      if (now > deadline) {
        return "timed out after " + timeout.toMinutes() + " min";
      }
      if (lingerDeadline == Long.MAX_VALUE && hasRecord(perfFile)) {
        lingerDeadline = now + EXIT_GRACE.toNanos();
      }
      if (now > lingerDeadline) {
        return "still running " + EXIT_GRACE.toSeconds() + " s after writing its perf record";
      }
    }
    return null;
  }

  /**
   * The child JVM's CPU seconds (all its threads), sampled while it runs: the OS forgets them once
   * the process has exited, so the last sample stands, at most one poll interval short. On a
   * machine shared with other work, CPU seconds compare runs where wall-clock rates cannot.
   */
  private static final class CpuTime {
    private double seconds = Double.NaN;

    void sample(Process process) {
      process
          .toHandle()
          .info()
          .totalCpuDuration()
          .ifPresent(duration -> seconds = duration.toNanos() / 1e9);
    }

    double seconds() {
      return seconds;
    }
  }

  private static boolean hasRecord(Path perfFile) {
    try {
      return readPerf(perfFile) != null;
    } catch (IOException | RuntimeException e) {
      // Still being written.
      return false;
    }
  }

  /**
   * The record is a comment line with the time, one with the configuration, the configuration as
   * JSON, then the perf as JSON: the last line that is not a comment.
   */
  private static NexmarkPerf readPerf(Path perfFile) throws IOException {
    if (!Files.exists(perfFile)) {
      return null;
    }
    List<String> lines = Files.readAllLines(perfFile, StandardCharsets.UTF_8);
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i).trim();
      if (!line.isEmpty() && !line.startsWith("#")) {
        NexmarkPerf perf = NexmarkPerf.fromString(line);
        return perf.numEvents >= 0 || perf.errors != null ? perf : null;
      }
    }
    return null;
  }
}
