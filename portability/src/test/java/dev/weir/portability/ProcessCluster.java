package dev.weir.portability;

import dev.weir.runner.cluster.WeirClusterCoordinator;
import dev.weir.worker.control.WorkerProcess;
import dev.weir.worker.security.ClusterCredentials;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Weir cluster of processes on loopback for the job server's tests: a coordinator JVM and worker
 * JVMs on this test's class path (so the workers have the portability classes and the Java SDK
 * harness an EMBEDDED environment runs in), with cluster credentials made at start. Each process's
 * output goes to a file under {@code logs}. {@link #close} stops every process it started.
 */
final class ProcessCluster implements AutoCloseable {
  private static final long START_TIMEOUT_SECONDS = 90;

  private final Path logs;
  private final Path securityDir;
  private final List<Process> coordinator = new ArrayList<>();
  private final Map<String, Process> workers = new LinkedHashMap<>();
  private int port;

  private ProcessCluster(Path logs) throws IOException {
    this.logs = logs;
    Files.createDirectories(logs);
    this.securityDir = Files.createTempDirectory(logs, "security");
    ClusterCredentials.generate(Duration.ofDays(1)).write(securityDir);
  }

  static ProcessCluster start(Path logs) throws Exception {
    ProcessCluster cluster = new ProcessCluster(logs);
    try {
      CompletableFuture<String> listening = new CompletableFuture<>();
      cluster.coordinator.add(
          cluster.launch(
              "coordinator",
              WeirClusterCoordinator.LISTENING_MARKER,
              listening,
              List.of(
                  WeirClusterCoordinator.class.getName(),
                  "--port=0",
                  cluster.securityArgument())));
      String line = listening.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      cluster.port = Integer.parseInt(line.substring(line.indexOf("port=") + 5).trim());
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  String securityArgument() {
    return "--securityDir=" + securityDir;
  }

  String master() {
    return "127.0.0.1:" + port;
  }

  /** Starts worker {@code name} and waits until it has registered with the coordinator. */
  void startWorker(String name, String... args) throws Exception {
    CompletableFuture<String> registered = new CompletableFuture<>();
    List<String> command = new ArrayList<>();
    command.add(WorkerProcess.class.getName());
    command.add("--coordinator=" + master());
    command.add("--name=" + name);
    command.add(securityArgument());
    command.addAll(List.of(args));
    workers.put(name, launch(name, WorkerProcess.REGISTERED_MARKER, registered, command));
    registered.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  List<String> liveWorkers() {
    List<String> alive = new ArrayList<>();
    workers.forEach(
        (name, p) -> {
          if (p.isAlive()) {
            alive.add(name);
          }
        });
    return alive;
  }

  /** {@code kill -9} of worker {@code name}; returns once it is gone. */
  void killWorker(String name) throws InterruptedException {
    Process p = workers.get(name);
    p.destroyForcibly();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("worker " + name + " survived kill -9");
    }
  }

  /** What process {@code label} ("coordinator", or a worker's name) has printed so far. */
  String output(String label) throws IOException {
    return Files.readString(logs.resolve(label + ".log"), StandardCharsets.UTF_8);
  }

  private Process launch(
      String label, String marker, CompletableFuture<String> seen, List<String> mainAndArgs)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.addAll(mainAndArgs);
    Path log = logs.resolve(label + ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                      new BufferedReader(
                          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                  Writer w =
                      Files.newBufferedWriter(
                          log,
                          StandardCharsets.UTF_8,
                          StandardOpenOption.CREATE,
                          StandardOpenOption.APPEND)) {
                String line;
                while ((line = out.readLine()) != null) {
                  w.write(line + System.lineSeparator());
                  w.flush();
                  if (line.startsWith(marker)) {
                    seen.complete(line);
                  }
                }
              } catch (IOException e) {
                // The process ended.
              }
              seen.completeExceptionally(
                  new IllegalStateException(label + " ended before printing " + marker));
            },
            "output-of-" + label);
    reader.setDaemon(true);
    reader.start();
    return process;
  }

  @Override
  public void close() throws InterruptedException {
    List<Process> all = new ArrayList<>(workers.values());
    all.addAll(coordinator);
    for (Process p : all) {
      p.destroy();
    }
    for (Process p : all) {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
