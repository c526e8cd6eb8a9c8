package dev.weir.runner.cluster;

import dev.weir.worker.control.WorkerProcess;
import dev.weir.worker.security.ClusterCredentials;
import dev.weir.worker.security.ClusterSecurity;
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
 * A Weir cluster on loopback for tests: a coordinator (its own JVM, or in this one) and worker
 * JVMs started from this test's classpath (which holds the tests' pipelines' classes; a job submitted
 * to it stages the jars or class directories of its classes all the same). Each process's output goes to a file under {@code logs}, readable while the
 * test runs. {@link #close} stops everything it started.
 */
public final class LocalProcessCluster implements AutoCloseable {
  private static final long START_TIMEOUT_SECONDS = 60;

  private final Path logs;
  /** Put before this JVM's class path in every process started, e.g. a core-site.xml's directory. */
  private final List<Path> classpathFirst;
  private final List<Process> coordinatorProcess = new ArrayList<>();
  private final Map<String, Process> workers = new LinkedHashMap<>();
  private WeirClusterCoordinator inProcessCoordinator;
  private int coordinatorPort;
  /** The cluster's credentials, made at start; null for an insecure cluster. */
  private final Path securityDir;

  private LocalProcessCluster(Path logs, List<Path> classpathFirst, boolean insecure)
      throws IOException {
    this.logs = logs;
    this.classpathFirst = List.copyOf(classpathFirst);
    if (insecure) {
      this.securityDir = null;
    } else {
      Files.createDirectories(logs);
      this.securityDir = Files.createTempDirectory(logs, "security");
      ClusterCredentials.generate(Duration.ofDays(1)).write(securityDir);
    }
  }

  /** {@code --securityDir=...} of this cluster, or {@code --insecure}: for processes and clients. */
  public String securityArgument() {
    return securityDir == null ? "--insecure" : "--securityDir=" + securityDir;
  }

  /** The directory of the cluster's credentials; null for an insecure cluster. */
  public Path securityDir() {
    return securityDir;
  }

  /** A coordinator JVM; add workers with {@link #startWorker}. */
  public static LocalProcessCluster withCoordinatorProcess(Path logs) throws Exception {
    return withCoordinatorProcess(logs, List.of());
  }

  /**
   * A coordinator JVM whose class path, and that of every worker started after, begins with
   * {@code classpathFirst}: how a test hands all processes a Hadoop {@code core-site.xml}, as an
   * installation's {@code HADOOP_CONF_DIR} on the class path would.
   */
  public static LocalProcessCluster withCoordinatorProcess(Path logs, List<Path> classpathFirst)
      throws Exception {
    LocalProcessCluster cluster = new LocalProcessCluster(logs, classpathFirst, false);
    try {
      CompletableFuture<String> listening = new CompletableFuture<>();
      cluster.coordinatorProcess.add(
          cluster.start(
              "coordinator",
              WeirClusterCoordinator.LISTENING_MARKER,
              listening,
              List.of(
                  WeirClusterCoordinator.class.getName(),
                  "--port=0",
                  cluster.securityArgument())));
      String line = listening.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      cluster.coordinatorPort = Integer.parseInt(line.substring(line.indexOf("port=") + 5).trim());
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  /** A coordinator in this JVM (its log lines go to this test's output); add workers after. */
  public static LocalProcessCluster withCoordinatorInThisJvm(Path logs) throws IOException {
    return withCoordinatorInThisJvm(logs, WeirClusterCoordinator.WORKER_TIMEOUT_MILLIS, false);
  }

  /** As {@link #withCoordinatorInThisJvm(Path)}, every process with {@code --insecure}. */
  public static LocalProcessCluster insecureWithCoordinatorInThisJvm(Path logs)
      throws IOException {
    return withCoordinatorInThisJvm(logs, WeirClusterCoordinator.WORKER_TIMEOUT_MILLIS, true);
  }

  /**
   * A coordinator in this JVM that drops a worker after {@code workerTimeoutMillis} without
   * heartbeats (tests of the other ways a lost worker is noticed set it far off).
   */
  static LocalProcessCluster withCoordinatorInThisJvm(Path logs, long workerTimeoutMillis)
      throws IOException {
    return withCoordinatorInThisJvm(logs, workerTimeoutMillis, false);
  }

  private static LocalProcessCluster withCoordinatorInThisJvm(
      Path logs, long workerTimeoutMillis, boolean insecure) throws IOException {
    LocalProcessCluster cluster = new LocalProcessCluster(logs, List.of(), insecure);
    cluster.inProcessCoordinator =
        WeirClusterCoordinator.start(
            "127.0.0.1",
            0,
            insecure
                ? ClusterSecurity.insecure("The test's coordinator")
                : ClusterSecurity.fromDirectory(cluster.securityDir),
            workerTimeoutMillis);
    cluster.coordinatorPort = cluster.inProcessCoordinator.port();
    return cluster;
  }

  /** host:port for {@code --weirMaster}. */
  public String master() {
    return "127.0.0.1:" + coordinatorPort;
  }

  /**
   * Starts a worker JVM named {@code name} and waits until it has registered; {@code extraArgs}
   * go to {@link WorkerProcess} after the coordinator and name.
   */
  public void startWorker(String name, String... extraArgs) throws Exception {
    CompletableFuture<String> registered = new CompletableFuture<>();
    List<String> command = new ArrayList<>();
    command.add(WorkerProcess.class.getName());
    command.add("--coordinator=" + master());
    command.add("--name=" + name);
    command.add(securityArgument());
    command.addAll(List.of(extraArgs));
    Process process = start(name, WorkerProcess.REGISTERED_MARKER, registered, command);
    workers.put(name, process);
    registered.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /** The coordinator started in this JVM, or null if it is a process of its own. */
  WeirClusterCoordinator coordinatorInThisJvm() {
    return inProcessCoordinator;
  }

  /**
   * Stops worker {@code name} as a long GC pause would ({@code kill -STOP}); see {@link
   * #resumeWorker}.
   */
  void pauseWorker(String name) throws Exception {
    signal("STOP", workers.get(name));
  }

  /** Lets a paused worker go on ({@code kill -CONT}). */
  void resumeWorker(String name) throws Exception {
    signal("CONT", workers.get(name));
  }

  private static void signal(String signal, Process p) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
    if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed");
    }
  }

  /** The names of the worker processes started and still alive. */
  public List<String> liveWorkers() {
    List<String> alive = new ArrayList<>();
    workers.forEach((name, p) -> {
      if (p.isAlive()) {
        alive.add(name);
      }
    });
    return alive;
  }

  /** Kills worker {@code name} as {@code kill -9} would, and waits until it is gone. */
  public void killWorker(String name) throws InterruptedException {
    Process p = workers.get(name);
    p.destroyForcibly();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("worker " + name + " survived kill -9");
    }
  }

  private Process start(
      String label, String marker, CompletableFuture<String> seen, List<String> mainAndArgs)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    command.add("-Xmx384m");
    // Times in the logs, to follow a test's processes side by side.
    command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    command.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
    command.add("-cp");
    List<String> classpath = new ArrayList<>();
    classpathFirst.forEach(dir -> classpath.add(dir.toAbsolutePath().toString()));
    classpath.add(System.getProperty("java.class.path"));
    command.add(String.join(File.pathSeparator, classpath));
    command.addAll(mainAndArgs);
    Files.createDirectories(logs);
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
                // The process ended; its stream closed.
              }
              seen.completeExceptionally(
                  new IllegalStateException(label + " ended before printing " + marker));
            },
            "output-of-" + label);
    reader.setDaemon(true);
    reader.start();
    return process;
  }

  /** Stops every process it started (SIGTERM, then SIGKILL) and the in-JVM coordinator. */
  @Override
  public void close() throws InterruptedException {
    List<Process> all = new ArrayList<>(workers.values());
    all.addAll(coordinatorProcess);
    for (Process p : all) {
      p.destroy();
    }
    for (Process p : all) {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      if (p.isAlive()) {
        throw new IllegalStateException("process " + p.pid() + " still running");
      }
    }
    if (inProcessCoordinator != null) {
      inProcessCoordinator.close();
    }
  }
}
