package dev.weir.dist;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Unpacks {@code weir-VERSION.tar.gz} (built in this module's package phase), starts a coordinator
 * and two workers with its {@code bin/} scripts as separate processes, submits the examples'
 * WordCount to them with {@code bin/weir-run ... --master}, and checks the counts. It first
 * makes the cluster's credentials with {@code bin/weir-security init}, which the scripts then hand
 * to every process and to the pipeline, so the cluster runs with TLS and authentication on. Another test checks
 * where the scripts take their settings from ({@code conf/weir.conf}, the environment, flags).
 *
 * <p>WordCount's jar is in the distribution's {@code usrlib/}, which only {@code bin/weir-run} (the
 * client) has on its class path; the coordinator and the workers run with {@code conf/} and {@code
 * lib/} only. The job runs because the client stages the jar to the coordinator and each worker
 * fetches it and loads WordCount's classes in the job's own class loader; the test checks both
 * ends of that in the processes' logs.
 */
public class ClusterFromTarballTest {
  private static final long START_SECONDS = 90;
  private static final long JOB_SECONDS = 150;
  // Every wait below is bounded; no Timeout rule, whose thread could leave @After unfinished.

  private static final Path WORK = Paths.get("target", "cluster-from-tarball").toAbsolutePath();

  /** The unpacked distribution, shared by the tests (unpacking takes seconds). */
  private static Path home;

  private final Path work = WORK;
  private final Path logs = work.resolve("logs");
  private final List<ScriptProcess> started = new ArrayList<>();

  @BeforeClass
  public static void unpack() throws Exception {
    Path work = WORK;
    deleteRecursively(work);
    Files.createDirectories(work);
    Path tarball = Paths.get(System.getProperty("weir.dist.tarball"));
    assertTrue("no tarball at " + tarball + "; run mvn package", Files.isRegularFile(tarball));
    Process tar =
        new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", work.toString())
            .inheritIO()
            .start();
    assertTrue("tar xzf " + tarball + " still running", tar.waitFor(120, TimeUnit.SECONDS));
    assertEquals("tar xzf " + tarball, 0, tar.exitValue());
    home = work.resolve("weir-" + System.getProperty("weir.dist.version"));
  }

  @After
  public void stopEverything() throws Exception {
    for (ScriptProcess p : started) {
      p.close();
    }
    // A --daemon process is no child of this JVM: its pid file says which process it is.
    if (home != null) {
      try (Stream<Path> pidFiles = listOrEmpty(home.resolve("log"))) {
        for (Path pidFile : (Iterable<Path>) pidFiles::iterator) {
          if (pidFile.toString().endsWith(".pid")) {
            Optional<ProcessHandle> daemon =
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()));
            if (daemon.isPresent()) {
              ScriptProcess.stop(daemon.get());
            }
          }
        }
      }
    }
  }

  @Test
  public void settingsComeFromWeirConfUnlessTheEnvironmentOrAFlagSaysOtherwise() throws Exception {
    // A bad port shows which setting a script used; it stops before starting any JVM.
    Path conf = work.resolve("other-conf");
    Files.createDirectories(conf);
    String weirConf = Files.readString(home.resolve("conf/weir.conf"), StandardCharsets.UTF_8);
    assertTrue(weirConf.contains("\nWEIR_COORDINATOR_PORT=8099\n"));
    Files.writeString(
        conf.resolve("weir.conf"),
        weirConf.replace("\nWEIR_COORDINATOR_PORT=8099\n", "\nWEIR_COORDINATOR_PORT=from-file\n"));

    assertRefused(
        "--port must be a number, got 'from-file'",
        Map.of("WEIR_CONF_DIR", conf.toString()),
        "bin/weir-coordinator");
    assertRefused(
        "--port must be a number, got 'from-env'",
        Map.of("WEIR_CONF_DIR", conf.toString(), "WEIR_COORDINATOR_PORT", "from-env"),
        "bin/weir-coordinator");
    assertRefused(
        "--port must be a number, got 'from-flag'",
        Map.of("WEIR_CONF_DIR", conf.toString(), "WEIR_COORDINATOR_PORT", "from-env"),
        "bin/weir-coordinator",
        "--port",
        "from-flag");
    assertRefused(
        "--slots must be a whole number, at least 1, got '0'",
        Map.of(),
        "bin/weir-worker",
        "--slots",
        "0");
    assertRefused(
        "no configuration file " + work.resolve("nowhere/weir.conf"),
        Map.of("WEIR_CONF_DIR", work.resolve("nowhere").toString()),
        "bin/weir-worker");
  }

  /** Runs a script that must fail (exit 1) with {@code message}. */
  private void assertRefused(String message, Map<String, String> environment, String... command)
      throws Exception {
    ScriptProcess p = start("refused-" + started.size(), null, environment, command);
    int exit = p.awaitExit(START_SECONDS);
    String output = p.output();
    assertTrue(output, output.contains(message));
    assertEquals(output, 1, exit);
  }

  @Test
  public void wordCountSubmittedWithMasterCountsEveryWordOnTwoWorkersWithItsJarStaged()
      throws Exception {
    for (String file :
        List.of(
            "bin/weir-coordinator",
            "bin/weir-worker",
            "bin/weir-security",
            "bin/weir-run",
            "bin/weir-stop",
            "conf/weir.conf",
            "README.md")) {
      assertTrue(file + " missing from the tarball", Files.isRegularFile(home.resolve(file)));
    }
    assertTrue(Files.isExecutable(home.resolve("bin/weir-worker")));
    assertTrue(
        "lib/ lacks weir-runner",
        Files.isRegularFile(
            home.resolve("lib/weir-runner-" + System.getProperty("weir.dist.version") + ".jar")));
    // The examples' jar is only in usrlib/, which no coordinator or worker has on its class path.
    String examplesJar = "weir-examples-" + System.getProperty("weir.dist.version") + ".jar";
    assertTrue(Files.isRegularFile(home.resolve("usrlib").resolve(examplesJar)));
    assertFalse(Files.exists(home.resolve("lib").resolve(examplesJar)));

    // Security on, as a user would run it: the scripts pass --securityDir=security to every
    // process (and bin/weir-run to the pipeline) once the directory exists.
    ScriptProcess init = start("security-init", null, "bin/weir-security", "init", "security");
    int initExit = init.awaitExit(START_SECONDS);
    assertEquals(init.output(), 0, initExit);
    assertTrue(Files.isDirectory(home.resolve("security")));

    // The foreground mode: the script execs java, so the process started here is the JVM.
    ScriptProcess coordinator =
        start(
            "coordinator",
            "WEIR_COORDINATOR_LISTENING",
            "bin/weir-coordinator",
            "--port",
            "0",
            // A free port, not 8081: other tests share this machine.
            "--webPort",
            "0");
    String listening = coordinator.awaitMarker(START_SECONDS);
    String master = "127.0.0.1:" + listening.substring(listening.indexOf("port=") + 5).trim();

    // --slots and a pass-through option (a smaller RocksDB block cache for this shared machine).
    ScriptProcess w1 =
        start(
            "worker-w1",
            "WEIR_WORKER_REGISTERED",
            "bin/weir-worker",
            "--coordinator",
            master,
            "--slots",
            "2",
            "--name",
            "w1",
            "--rocksDbBlockCacheMb=64",
            "--rocksDbWriteBufferMb=16");

    // The --daemon mode: the script returns once the worker has registered. Both workers start at
    // once, as JVM starts are most of this test's time.
    ScriptProcess w2Script =
        start(
            "worker-w2-daemon",
            null,
            "bin/weir-worker",
            "--coordinator=" + master,
            "--slots=1",
            "--name=w2",
            "--rocksDbBlockCacheMb=64",
            "--rocksDbWriteBufferMb=16",
            "--daemon");
    assertTrue(w1.awaitMarker(START_SECONDS).startsWith("WEIR_WORKER_REGISTERED w1 slots=2 "));
    int w2ScriptExit = w2Script.awaitExit(START_SECONDS);
    assertEquals(w2Script.output(), 0, w2ScriptExit);
    assertTrue(w2Script.output(), w2Script.output().contains("WEIR_WORKER_REGISTERED w2 slots=1 "));
    Path w2Log = home.resolve("log/weir-worker-w2.log");
    long w2Pid = Long.parseLong(Files.readString(home.resolve("log/weir-worker-w2.pid")).trim());
    assertTrue("w2 is not running", isAlive(w2Pid));

    Path input = work.resolve("input.txt");
    Map<String, Long> expected = writeInput(input);
    Path output = work.resolve("output");
    ScriptProcess wordCount =
        start(
            "wordcount",
            null,
            "bin/weir-run",
            "dev.weir.examples.WordCount",
            "--runner=WeirRunner",
            "--master=" + master,
            "--inputFile=" + input,
            "--output=" + output.resolve("counts"));
    assertEquals(
        "WordCount failed; see " + wordCount.log(), 0, wordCount.awaitExit(JOB_SECONDS));

    assertEquals(expected, readCounts(output));
    // The client staged WordCount's jar; the workers loaded the job's classes from it.
    assertTrue(
        "the coordinator got no staged " + examplesJar + ": " + coordinator.output(),
        coordinator.output().contains("Artifact staged: " + examplesJar));
    assertTrue(
        "w1 ran WordCount without a job class loader over " + examplesJar,
        w1.output().contains("class loader over [" + examplesJar));
    assertTrue(
        "w2 ran WordCount without a job class loader over " + examplesJar,
        Files.readString(w2Log, StandardCharsets.UTF_8)
            .contains("class loader over [" + examplesJar));
    // Both workers ran the job's subtasks: their log lines from subtask threads name the job
    // (conf/simplelogger.properties shows thread names), whose name starts with "wordcount-".
    assertTrue("w1 ran no subtask of WordCount", w1.output().contains("wordcount-"));
    assertTrue(
        "w2 ran no subtask of WordCount",
        Files.readString(w2Log, StandardCharsets.UTF_8).contains("wordcount-"));

    ScriptProcess stop = start("stop", null, "bin/weir-stop");
    int stopExit = stop.awaitExit(60);
    assertEquals(stop.output(), 0, stopExit);
    assertFalse("w2 survived bin/weir-stop", isAlive(w2Pid));
    assertFalse(Files.exists(home.resolve("log/weir-worker-w2.pid")));
  }

  private ScriptProcess start(String label, String marker, String... command)
      throws IOException {
    return start(label, marker, Map.of(), command);
  }

  /** Runs {@code command} (its first element relative to the installation) there. */
  private ScriptProcess start(
      String label, String marker, Map<String, String> extraEnvironment, String... command)
      throws IOException {
    List<String> line = new ArrayList<>(List.of(command));
    line.set(0, home.resolve(command[0]).toString());
    Map<String, String> environment =
        new HashMap<>(
            Map.of(
                // The JDK running this test, not whatever java is on the PATH.
                "JAVA_HOME", System.getProperty("java.home"),
                // Small heaps, C1 only, one GC thread: four JVMs share a machine with the rest
                // of the build, and JIT and GC threads of short-lived JVMs only compete for it.
                "WEIR_JAVA_OPTS", "-Xmx384m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"));
    environment.putAll(extraEnvironment);
    ScriptProcess p = ScriptProcess.start(label, home, environment, logs, marker, line);
    started.add(p);
    return p;
  }

  /**
   * Writes word{@code i} i times for i in 1..120, shuffled over lines of up to 12 words, with
   * punctuation and capitals WordCount ignores; returns the counts WordCount must find.
   */
  private static Map<String, Long> writeInput(Path file) throws IOException {
    Map<String, Long> expected = new TreeMap<>();
    List<String> words = new ArrayList<>();
    for (int i = 1; i <= 120; i++) {
      expected.put("word" + i, (long) i);
      for (int n = 0; n < i; n++) {
        words.add((n % 3 == 0 ? "Word" : "word") + i);
      }
    }
    Collections.shuffle(words, new Random(15));
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < words.size(); i++) {
      text.append(words.get(i)).append(i % 12 == 11 ? ".\n" : ", ");
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return expected;
  }

  /** Every {@code word: count} line of the output's shards. */
  private static Map<String, Long> readCounts(Path directory) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path shard : (Iterable<Path>) files::iterator) {
        if (!shard.getFileName().toString().startsWith("counts-")) {
          continue;
        }
        for (String line : Files.readAllLines(shard, StandardCharsets.UTF_8)) {
          int colon = line.lastIndexOf(": ");
          Long previous =
              counts.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 2)));
          assertEquals("word twice in the output: " + line, null, previous);
        }
      }
    }
    return counts;
  }

  private static boolean isAlive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static Stream<Path> listOrEmpty(Path directory) throws IOException {
    return Files.isDirectory(directory) ? Files.list(directory) : Stream.empty();
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Collections.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
