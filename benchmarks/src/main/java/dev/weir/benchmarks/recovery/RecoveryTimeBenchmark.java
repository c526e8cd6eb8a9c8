package dev.weir.benchmarks.recovery;

import dev.weir.worker.control.LaunchArguments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Recovery time after {@code kill -9} of a worker: starts a coordinator and {@code --workers}
 * worker JVMs (RocksDB state), runs a streaming job that writes a {@code --valueBytes} value to
 * each of {@code --keys} keys ({@code ValueState<byte[]>}) and then keeps updating keys at a slow
 * pace, with checkpoints every {@code --checkpointingInterval} ms to a {@code file://} directory;
 * once a checkpoint taken after the fill has completed, kills {@code --victim} with SIGKILL (no
 * replacement is started: the job restarts on the workers left) and measures the wall time from the
 * kill to the first output of the restarted job, with the phases in between from the logs:
 *
 * <ul>
 *   <li><b>detected</b>: the coordinator drops the killed worker;
 *   <li><b>redeployed</b>: the coordinator deploys the next attempt (after the old attempt's
 *       subtasks ended and the latest checkpoint was chosen);
 *   <li><b>restored</b>: the last subtask has downloaded and opened its keyed state;
 *   <li><b>first output</b>: the sink's first element from a subtask of the new attempt.
 * </ul>
 *
 * <pre>
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/benchmarks.classpath) \
 *     dev.weir.benchmarks.recovery.RecoveryTimeBenchmark --keys=1000000 --valueBytes=1024 --runs=3
 * </pre>
 *
 * Options: {@code --keys=1000000 --valueBytes=1024 --workers=3 --victim=worker-2
 * --checkpointingInterval=5000 --pacePerSecond=50 (per source subtask) --executionRetryDelay=0
 * --workerHeapMb=1024 --runs=1 --workDirectory=target/recovery-benchmark}.
 */
public final class RecoveryTimeBenchmark {
  private static final long WAIT_MILLIS = 600_000;
  private static final Pattern RESTORED =
      Pattern.compile(
          "Restored the keyed state .* (\\d+) MiB, downloaded in (\\d+) ms, opened in (\\d+) ms");

  private final Map<String, String> args;

  private RecoveryTimeBenchmark(Map<String, String> args) {
    this.args = args;
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = LaunchArguments.parse(argv);
    RecoveryTimeBenchmark benchmark = new RecoveryTimeBenchmark(args);
    int runs = benchmark.integer("runs", 1);
    List<String> rows = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      rows.add(benchmark.run(run));
      System.out.println();
      System.out.println(HEADER);
      rows.forEach(System.out::println);
      System.out.println();
    }
    System.exit(0);
  }

  private static final String HEADER =
      "| run | load avg | fill s | state MiB (victim) | detected ms | redeployed ms | restored ms |"
          + " first output ms | restored MiB | slowest download ms | slowest open ms | keys without"
          + " value after restore |\n"
          + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

  private String run(int run) throws Exception {
    long keys = longValue("keys", 1_000_000);
    int valueBytes = integer("valueBytes", 1024);
    int workers = integer("workers", 3);
    String victim = args.getOrDefault("victim", "worker-2");
    Path dir =
        Paths.get(args.getOrDefault("workDirectory", "target/recovery-benchmark"))
            .toAbsolutePath()
            .resolve("run-" + run + "-" + System.currentTimeMillis());
    Path sink = Files.createDirectories(dir.resolve("sink"));
    Path checkpoints = Files.createDirectories(dir.resolve("checkpoints"));
    List<String> jvmArgs = List.of("-Xmx" + integer("workerHeapMb", 1024) + "m");
    System.out.printf(
        Locale.ROOT,
        "Run %d: %,d keys x %,d bytes over %d workers, checkpoints every %s ms; load average %s;"
            + " files under %s%n",
        run,
        keys,
        valueBytes,
        workers,
        args.getOrDefault("checkpointingInterval", "5000"),
        loadAverage(),
        dir);
    try (ClusterProcesses cluster = ClusterProcesses.start(dir.resolve("logs"), jvmArgs)) {
      List<String> names = new ArrayList<>();
      for (int w = 1; w <= workers; w++) {
        String name = "worker-" + w;
        cluster.startWorker(name, dir.resolve("state-" + name));
        names.add(name);
      }
      if (!names.contains(victim)) {
        throw new IllegalArgumentException("--victim=" + victim + " is none of " + names);
      }
      PipelineResult job =
          submit(
              cluster.master(),
              cluster.securityArgument(),
              keys,
              valueBytes,
              workers,
              sink,
              checkpoints);
      try {
        long started = System.currentTimeMillis();
        long filledAt =
            waitFor(
                "the fill",
                () ->
                    SinkFiles.read(sink).filledBefore(Long.MAX_VALUE) >= keys
                        ? OptionalLong.of(System.currentTimeMillis())
                        : OptionalLong.empty());
        double fillSeconds = (filledAt - started) / 1000.0;
        long before = newestCheckpoint(checkpoints, false);
        System.out.printf(
            Locale.ROOT,
            "  filled in %.1f s; waiting for a checkpoint after %d%n",
            fillSeconds,
            before);
        long checkpoint =
            waitFor(
                "a checkpoint after the fill",
                () -> {
                  long done = newestCheckpoint(checkpoints, true);
                  return done > before ? OptionalLong.of(done) : OptionalLong.empty();
                });
        Map<String, Long> stateBytes = new HashMap<>();
        long total = 0;
        for (String name : names) {
          long bytes = distinctBytes(dir.resolve("state-" + name));
          stateBytes.put(name, bytes);
          total += bytes;
        }
        System.out.printf(
            Locale.ROOT,
            "  checkpoint %d completed; local state MiB by worker: %s (total %,d); killing %s%n",
            checkpoint,
            mib(stateBytes),
            total >> 20,
            victim);
        String loadAtKill = loadAverage();
        long killed = cluster.kill(victim);
        long firstOutput =
            waitFor(
                "the first output after the restart",
                () -> SinkFiles.read(sink).firstOutputAfter(killed));
        // Let the new attempt run a little, to check that the keys it updates had their values.
        Thread.sleep(3_000);
        long without = 0;
        long past = 0;
        for (SinkFiles.Instance i : SinkFiles.read(sink).setUpAfter(killed)) {
          without += i.pastWithoutValue();
          past += i.past();
        }
        LogTimes coordinator = LogTimes.of(cluster.log("coordinator"));
        long detected = since(killed, coordinator.first("; dropping it", killed));
        long redeployed = since(killed, coordinator.first("deploying attempt", killed));
        long restored = -1;
        long restoredMib = 0;
        long slowestDownload = 0;
        long slowestOpen = 0;
        for (String name : names) {
          if (name.equals(victim)) {
            continue;
          }
          for (String line :
              LogTimes.of(cluster.log(name)).all("Restored the keyed state", killed)) {
            restored = Math.max(restored, LogTimes.time(line) - killed);
            Matcher m = RESTORED.matcher(line);
            if (m.find()) {
              restoredMib += Long.parseLong(m.group(1));
              slowestDownload = Math.max(slowestDownload, Long.parseLong(m.group(2)));
              slowestOpen = Math.max(slowestOpen, Long.parseLong(m.group(3)));
            }
          }
        }
        System.out.printf(
            Locale.ROOT,
            "  kill -> detected %d ms, redeployed %d ms, restored %d ms, first output %d ms;"
                + " %d elements after the restart, %d of them on a key without a value%n",
            detected,
            redeployed,
            restored,
            firstOutput - killed,
            past,
            without);
        return String.format(
            Locale.ROOT,
            "| %d | %s | %.1f | %,d (%,d) | %d | %d | %d | **%d** | %,d | %d | %d | %d of %d |",
            run,
            loadAtKill,
            fillSeconds,
            total >> 20,
            stateBytes.get(victim) >> 20,
            detected,
            redeployed,
            restored,
            firstOutput - killed,
            restoredMib,
            slowestDownload,
            slowestOpen,
            without,
            past);
      } finally {
        job.cancel();
      }
    }
  }

  private PipelineResult submit(
      String master,
      String securityArgument,
      long keys,
      int valueBytes,
      int workers,
      Path sink,
      Path checkpoints) {
    PipelineOptions options =
        PipelineOptionsFactory.fromArgs(
                "--runner=WeirRunner",
                "--weirMaster=" + master,
                securityArgument,
                "--parallelism=" + workers,
                "--checkpointingInterval=" + args.getOrDefault("checkpointingInterval", "5000"),
                "--checkpointDir=" + checkpoints.toUri(),
                "--numberOfExecutionRetries=3",
                "--executionRetryDelay=" + args.getOrDefault("executionRetryDelay", "0"))
            .create();
    int pace = integer("pacePerSecond", 50);
    Pipeline p = Pipeline.create(options);
    p.apply("Sequence", Read.from(new FillThenTrickleSource(keys, pace)))
        .apply(
            "KeyBy",
            MapElements.into(TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
                .via((Long n) -> KV.of(n % keys, n)))
        .apply("WriteValue", ParDo.of(new WriteValuePerKeyFn(valueBytes, keys)))
        .apply("Record", ParDo.of(new RecordOutputFn(sink.toString(), keys)));
    return p.run();
  }

  /** The id of the newest checkpoint directory, completed ones only or any; 0 if none. */
  private static long newestCheckpoint(Path root, boolean completed) throws IOException {
    long newest = 0;
    try (Stream<Path> all = Files.walk(root, 2)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        String name = p.getFileName().toString();
        if (name.startsWith("chk-")
            && Files.isDirectory(p)
            && (!completed || Files.exists(p.resolve("_metadata")))) {
          newest = Math.max(newest, Long.parseLong(name.substring(4)));
        }
      }
    }
    return newest;
  }

  /** Bytes of the files under {@code dir}, each hard-linked file once. */
  private static long distinctBytes(Path dir) throws IOException {
    Set<Object> seen = new HashSet<>();
    long bytes = 0;
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        try {
          if (Files.isRegularFile(p) && seen.add(Files.getAttribute(p, "unix:ino"))) {
            bytes += Files.size(p);
          }
        } catch (IOException e) {
          // Removed meanwhile (RocksDB deletes compacted files).
        }
      }
    }
    return bytes;
  }

  private static Map<String, Long> mib(Map<String, Long> bytes) {
    Map<String, Long> mib = new java.util.TreeMap<>();
    bytes.forEach((k, v) -> mib.put(k, v >> 20));
    return mib;
  }

  private static long since(long start, OptionalLong t) {
    return t.isPresent() ? t.getAsLong() - start : -1;
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Paths.get("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private interface Probe {
    OptionalLong check() throws Exception;
  }

  private static long waitFor(String what, Probe probe) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      OptionalLong value = probe.check();
      if (value.isPresent()) {
        return value.getAsLong();
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(
        "Gave up waiting for " + what + " after " + WAIT_MILLIS + " ms");
  }

  private int integer(String name, int defaultValue) {
    return Integer.parseInt(args.getOrDefault(name, Integer.toString(defaultValue)));
  }

  private long longValue(String name, long defaultValue) {
    return Long.parseLong(args.getOrDefault(name, Long.toString(defaultValue)));
  }
}
