package dev.weir.validatesrunner.portable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job server running as a child process: started with a command, ready once it printed
 * {@code WEIR_JOB_SERVER_LISTENING port=N}, its output copied to a log file.
 *
 * <p>The child's standard input stays open for the child's life; {@link ExitWithParent} ends the
 * child when it closes, which happens when {@link #close} runs and when this JVM dies.
 */
public final class JobServerProcess implements AutoCloseable {

  static final Pattern LISTENING = Pattern.compile("WEIR_JOB_SERVER_LISTENING port=(\\d+)");

  private final Process process;
  private final int port;
  private final Path log;

  private JobServerProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * The command that runs {@code mainClass} with {@code args} in a JVM of its own, on {@code
   * classpath}, through {@link ExitWithParent} (whose class must be on that classpath too).
   */
  public static List<String> javaCommand(
      List<String> jvmArgs, String classpath, String mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classpath);
    command.add(ExitWithParent.class.getName());
    command.add(mainClass);
    command.addAll(args);
    return command;
  }

  /**
   * Starts {@code command} and waits until it says it listens.
   *
   * @throws IOException if it could not start, ended first, or did not say so within {@code
   *     startTimeout} (the process is then killed); the message holds the end of its output
   */
  public static JobServerProcess start(List<String> command, Path log, Duration startTimeout)
      throws IOException {
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<Integer> listening = new CompletableFuture<>();
    Thread pump = new Thread(() -> copyOutput(process, log, listening), "job-server-output");
    pump.setDaemon(true);
    pump.start();
    try {
      int port = listening.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return new JobServerProcess(process, port, log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process);
      throw new IOException("interrupted while the job server started", e);
    } catch (ExecutionException | TimeoutException e) {
      kill(process);
      String why =
          e instanceof TimeoutException
              ? "did not say it listens within " + startTimeout.toSeconds() + " s"
              : e.getCause().getMessage();
      throw new IOException("job server " + why + "; its output (" + log + ") ends:\n" + tail(log));
    }
  }

  /** The port it listens on. */
  public int port() {
    return port;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Its process, for tests. */
  Process process() {
    return process;
  }

  /** Ends the server: end of its input first (it shuts down cleanly), then signals. */
  @Override
  public void close() throws IOException {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill(process);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process);
    }
  }

  private static void kill(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void copyOutput(Process process, Path log, CompletableFuture<Integer> listening) {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(line);
        out.write('\n');
        out.flush();
        Matcher m = LISTENING.matcher(line);
        if (!listening.isDone() && m.find()) {
          listening.complete(Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException e) {
      listening.completeExceptionally(e);
    }
    try {
      listening.completeExceptionally(
          new IOException("ended (exit code " + process.waitFor() + ") before it listened"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public String toString() {
    return "job server pid " + process.pid() + " on port " + port + ", log " + log;
  }
}
