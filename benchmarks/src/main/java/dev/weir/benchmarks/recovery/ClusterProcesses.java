package dev.weir.benchmarks.recovery;

import dev.weir.runner.cluster.WeirClusterCoordinator;
import dev.weir.worker.control.WorkerProcess;
import dev.weir.worker.security.ClusterCredentials;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A coordinator JVM and worker JVMs on loopback, started from this JVM's classpath, which holds the
 * job's classes too; the client still stages the jars of the job's classes to the coordinator, as
 * for any {@code --master} job, and the workers run the job in a class loader of its own over
 * them. Each process's output goes to {@code
 * logs/<name>.log}, its log lines stamped with {@link #LOG_TIME_FORMAT}; {@link #close} stops every
 * process still running.
 */
final class ClusterProcesses implements AutoCloseable {
  /** The log lines' time stamps, a {@link java.text.SimpleDateFormat} pattern. */
  static final String LOG_TIME_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSZ";

  private static final long START_TIMEOUT_SECONDS = 120;

  private final Path logs;
  private final List<String> jvmArgs;
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private int coordinatorPort;
  /** The cluster's credentials, made at start and given to every process and the client. */
  private final Path securityDir;

  private final Thread killAtExit;

  private ClusterProcesses(Path logs, List<String> jvmArgs) throws IOException {
    this.logs = logs;
    this.jvmArgs = jvmArgs;
    Files.createDirectories(logs);
    this.securityDir = Files.createTempDirectory(logs, "security");
    ClusterCredentials.generate(Duration.ofDays(1)).write(securityDir);
    // Interrupted with Ctrl-C, the benchmark leaves no process behind.
    this.killAtExit = new Thread(() -> processes.values().forEach(Process::destroyForcibly));
    Runtime.getRuntime().addShutdownHook(killAtExit);
  }

  /** Starts the coordinator and waits until it listens. */
  static ClusterProcesses start(Path logs, List<String> jvmArgs) throws Exception {
    ClusterProcesses cluster = new ClusterProcesses(logs, jvmArgs);
    try {
      String line =
          cluster.startAndAwait(
              "coordinator",
              WeirClusterCoordinator.LISTENING_MARKER,
              List.of(
                  WeirClusterCoordinator.class.getName(), "--port=0", cluster.securityArgument()));
      cluster.coordinatorPort = Integer.parseInt(line.substring(line.indexOf("port=") + 5).trim());
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  /** host:port for {@code --weirMaster}. */
  String master() {
    return "127.0.0.1:" + coordinatorPort;
  }

  /** {@code --securityDir=...} of this cluster, for its processes and the submitting client. */
  String securityArgument() {
    return "--securityDir=" + securityDir;
  }

  Path log(String name) {
    return logs.resolve(name + ".log");
  }

  /**
   * Starts worker {@code name} with its RocksDB state under {@code stateDirectory}; waits until it
   * registered.
   */
  void startWorker(String name, Path stateDirectory) throws Exception {
    Files.createDirectories(stateDirectory);
    startAndAwait(
        name,
        WorkerProcess.REGISTERED_MARKER,
        List.of(
            WorkerProcess.class.getName(),
            "--coordinator=" + master(),
            "--name=" + name,
            securityArgument(),
            "--stateBackend=rocksdb",
            "--stateDirectory=" + stateDirectory));
  }

  /**
   * Kills {@code name} as {@code kill -9} does; returns the wall-clock time just before the signal.
   */
  long kill(String name) throws InterruptedException {
    Process p = processes.get(name);
    long millis = System.currentTimeMillis();
    p.destroyForcibly();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " survived kill -9");
    }
    return millis;
  }

  private String startAndAwait(String name, String marker, List<String> mainAndArgs)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    // The phases are read from INFO lines (a worker's restores, the coordinator's restarts).
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    command.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=" + LOG_TIME_FORMAT);
    command.add("-cp");
    command.add(classpath());
    command.addAll(mainAndArgs);
    Files.createDirectories(logs);
    Path log = log(name);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    processes.put(name, process);
    CompletableFuture<String> seen = new CompletableFuture<>();
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
                // The process ended; its stream closed.
              }
              seen.completeExceptionally(
                  new IllegalStateException(
                      name + " ended before printing " + marker + "; see " + log));
            },
            "output-of-" + name);
    reader.setDaemon(true);
    reader.start();
    return seen.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * This JVM's classpath: {@code java.class.path}, and under {@code mvn exec:java} the URLs of the
   * class loader Maven put the project's classes in.
   */
  private static String classpath() {
    Set<String> entries = new LinkedHashSet<>();
    for (ClassLoader l = Thread.currentThread().getContextClassLoader();
        l != null;
        l = l.getParent()) {
      if (l instanceof URLClassLoader urls) {
        for (URL url : urls.getURLs()) {
          if ("file".equals(url.getProtocol())) {
            entries.add(new File(url.getPath()).getAbsolutePath());
          }
        }
      }
    }
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      entries.add(entry);
    }
    return String.join(File.pathSeparator, entries);
  }

  /** Stops every process still running (SIGTERM, then SIGKILL). */
  @Override
  public void close() throws InterruptedException {
    try {
      Runtime.getRuntime().removeShutdownHook(killAtExit);
    } catch (IllegalStateException e) {
      // Already exiting: the hook does it.
    }
    for (Process p : processes.values()) {
      p.destroy();
    }
    for (Process p : processes.values()) {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      }
    }
  }
}
