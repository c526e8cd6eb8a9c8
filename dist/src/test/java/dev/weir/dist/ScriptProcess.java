package dev.weir.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A launch script of the unpacked distribution run as a process, its output (stdout and stderr)
 * copied to a log file while it runs. Since the scripts {@code exec java}, the process is the JVM.
 */
final class ScriptProcess implements AutoCloseable {
  private final String label;
  private final Process process;
  private final Path log;
  private final CompletableFuture<String> marked = new CompletableFuture<>();
  private final Thread copier;

  private ScriptProcess(String label, Process process, Path log, String marker)
      throws IOException {
    this.label = label;
    this.process = process;
    this.log = log;
    Writer logWriter = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
    this.copier =
        new Thread(
            () -> {
              try (BufferedReader out =
                      new BufferedReader(
                          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                  Writer w = logWriter) {
                String line;
                while ((line = out.readLine()) != null) {
                  w.write(line + System.lineSeparator());
                  w.flush();
                  if (marker != null && line.startsWith(marker)) {
                    marked.complete(line);
                  }
                }
              } catch (IOException e) {
                // The process ended and closed its output.
              }
              marked.completeExceptionally(
                  new IllegalStateException(
                      label + " ended before printing " + marker + "; see " + log));
            },
            "output-of-" + label);
    copier.setDaemon(true);
    copier.start();
  }

  /**
   * Runs {@code command} in {@code directory} with {@code environment} added to this JVM's, its
   * output going to {@code logs/label.log}; {@link #awaitMarker} waits for a line that starts with
   * {@code marker} (null: none expected).
   */
  static ScriptProcess start(
      String label,
      Path directory,
      Map<String, String> environment,
      Path logs,
      String marker,
      List<String> command)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
    builder.environment().putAll(environment);
    Files.createDirectories(logs);
    return new ScriptProcess(label, builder.start(), logs.resolve(label + ".log"), marker);
  }

  /** The first output line that starts with the marker, once it has been printed. */
  String awaitMarker(long seconds) throws Exception {
    return marked.get(seconds, TimeUnit.SECONDS);
  }

  /**
   * The exit code, once all the output is in the log; fails if the process is still running after
   * {@code seconds}.
   */
  int awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException(label + " still running after " + seconds + " s; see " + log);
    }
    // A --daemon script's JVM does not hold the pipe, so the copier ends with the script.
    copier.join(TimeUnit.SECONDS.toMillis(seconds));
    return process.exitValue();
  }

  String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  Path log() {
    return log;
  }

  /** Stops the process and any it started: SIGTERM, then SIGKILL after 15 s. */
  @Override
  public void close() throws InterruptedException {
    stop(process.toHandle());
  }

  /** SIGTERM to {@code handle} and its descendants, SIGKILL to those alive 15 s later. */
  static void stop(ProcessHandle handle) throws InterruptedException {
    List<ProcessHandle> tree = new java.util.ArrayList<>(handle.descendants().toList());
    tree.add(handle);
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    for (ProcessHandle p : tree) {
      while (p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }
}
