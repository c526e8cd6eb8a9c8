package dev.weir.benchmarks.checkpoint;

import dev.weir.checkpoint.storage.CheckpointStorage;
import dev.weir.state.rocksdb.RocksDbStateBackendFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checkpoint duration and uploaded bytes against state size. For each key count: writes one
 * {@code ValueState<byte[]>} of {@code valueBytes} random bytes per key, takes a full checkpoint,
 * then {@code rounds} times changes {@code changedPercent} % of the keys (random, seeded) and takes
 * an incremental checkpoint; prints each checkpoint's synchronous part (the backend's local
 * snapshot), upload, state bytes and uploaded bytes. Then restores the newest checkpoint from
 * storage and checks a sample of keys, so the figures are of checkpoints that restore. Storage is
 * a {@code file://} directory, so an upload is a local copy: on an object store the bytes are the
 * same and the time longer.
 *
 * <p>Arguments (all optional): {@code --keys=1000000,10000000 --valueBytes=100 --changedPercent=1
 * --rounds=10 --backends=rocksdb,heap --heapMaxKeys=1000000 --retained=3 --pauseMillis=2000
 * --verifySample=100000 --blockCacheMb=256 --writeBufferMb=64 --readCacheMb=16 --parent=<dir>}.
 * {@code pauseMillis} is the time between checkpoints (a job's checkpoint interval), in which
 * RocksDB's background compactions run. The heap backend runs only for key counts up to {@code
 * heapMaxKeys}.
 */
public final class IncrementalCheckpointRun {
  private static final long MB = 1L << 20;

  private IncrementalCheckpointRun() {}

  public static void main(String[] args) throws Exception {
    List<Integer> keyCounts = new ArrayList<>();
    for (String k : stringArg(args, "keys", "1000000,10000000").split(",")) {
      keyCounts.add(Integer.parseInt(k.trim().replace("_", "")));
    }
    int valueBytes = (int) longArg(args, "valueBytes", 100);
    double changed = Double.parseDouble(stringArg(args, "changedPercent", "1")) / 100;
    int rounds = (int) longArg(args, "rounds", 10);
    List<String> backends = List.of(stringArg(args, "backends", "rocksdb,heap").split(","));
    long heapMaxKeys = longArg(args, "heapMaxKeys", 1_000_000);
    int retained = (int) longArg(args, "retained", 3);
    long pauseMillis = longArg(args, "pauseMillis", 2000);
    int verifySample = (int) longArg(args, "verifySample", 100_000);
    long blockCacheMb = longArg(args, "blockCacheMb", 256);
    long writeBufferMb = longArg(args, "writeBufferMb", 64);
    long readCacheMb = longArg(args, "readCacheMb", 16);
    Path parent =
        Files.createTempDirectory(
            Path.of(stringArg(args, "parent", System.getProperty("java.io.tmpdir"))),
            "weir-checkpoint-bench-");
    PrintStream out = System.out;
    out.printf(
        "valueBytes=%d changed=%.2f%% rounds=%d retained=%d pause=%d ms blockCache=%d MiB"
            + " writeBuffers=%d MiB readCache=%d MiB; %d cores, max heap %,d MiB; load average %s;"
            + " dir=%s%n",
        valueBytes, changed * 100, rounds, retained, pauseMillis, blockCacheMb, writeBufferMb,
        readCacheMb, Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() / MB, loadAverage(), parent);

    try {
      for (int keys : keyCounts) {
        for (String backend : backends) {
          if (backend.equals("heap") && keys > heapMaxKeys) {
            continue;
          }
          Path dir = Files.createDirectory(parent.resolve(backend + "-" + keys));
          try (CheckpointStorage storage =
                  CheckpointStorage.open(dir.resolve("storage").toUri(), "bench", Map.of());
              RocksDbStateBackendFactory factory =
                  new RocksDbStateBackendFactory(
                      dir.resolve("state"), blockCacheMb * MB, writeBufferMb * MB,
                      readCacheMb * MB)) {
            Path local = dir.resolve("local-snapshots");
            try (CheckpointedKeys state =
                backend.equals("heap")
                    ? CheckpointedKeys.heap(storage, local, retained, keys, valueBytes)
                    : CheckpointedKeys.rocksDb(
                        factory, storage, local, retained, keys, valueBytes)) {
              run(out, backend, state, changed, rounds, pauseMillis, verifySample);
            }
          } finally {
            CheckpointedKeys.deleteRecursively(dir);
          }
        }
      }
    } finally {
      CheckpointedKeys.deleteRecursively(parent);
    }
    out.printf("load average at the end %s; directory removed: %s%n",
        loadAverage(), !Files.exists(parent));
  }

  private static void run(
      PrintStream out,
      String backend,
      CheckpointedKeys state,
      double changed,
      int rounds,
      long pauseMillis,
      int verifySample)
      throws IOException, InterruptedException {
    out.printf("%n%s, %,d keys: load average %s%n", backend, state.keys(), loadAverage());
    long start = System.nanoTime();
    state.writeAll();
    out.printf("  wrote %,d keys in %.1f s%n", state.keys(), (System.nanoTime() - start) / 1e9);
    List<CheckpointFigures> figures = new ArrayList<>();
    figures.add(state.checkpoint());
    for (int round = 1; round <= rounds; round++) {
      Thread.sleep(pauseMillis);
      state.changeRandomKeys(changed, round);
      figures.add(state.checkpoint());
    }
    print(out, figures);
    start = System.nanoTime();
    int checked = state.verifyRestore(verifySample, 7);
    out.printf(
        "  restored checkpoint %d from storage and read %,d random keys back, all their newest"
            + " value (%.1f s)%n",
        figures.get(figures.size() - 1).checkpointId(), checked, (System.nanoTime() - start) / 1e9);
  }

  private static void print(PrintStream out, List<CheckpointFigures> figures) {
    out.printf(
        "  %4s %10s %8s %9s %9s %9s %6s %9s %6s %6s %9s %9s %9s%n",
        "chk", "changed", "sync ms", "upload ms", "commit ms", "state MiB", "files",
        "upl. MiB", "upl. #", "reused", "upl/state", "max new", "store MiB");
    long incrementalUploaded = 0;
    long incrementalState = 0;
    for (CheckpointFigures f : figures) {
      out.printf(
          "  %4d %,10d %8.0f %9.0f %9.0f %9.1f %6d %9.1f %6d %6d %8.1f%% %9.1f %9.1f%n",
          f.checkpointId(), f.changedKeys(), f.syncNanos() / 1e6, f.uploadNanos() / 1e6,
          f.completeNanos() / 1e6, (double) f.stateBytes() / MB, f.stateFiles(),
          (double) f.uploadedBytes() / MB, f.uploadedFiles(), f.reusedFiles(),
          f.uploadedFraction() * 100, (double) f.largestUploadedBytes() / MB,
          (double) f.storageBytes() / MB);
      if (f.checkpointId() > 1) {
        incrementalUploaded += f.uploadedBytes();
        incrementalState += f.stateBytes();
      }
    }
    if (figures.size() > 1) {
      out.printf(
          "  incremental checkpoints: %.1f MiB uploaded in all, on average %.1f%% of the state"
              + " per checkpoint%n",
          (double) incrementalUploaded / MB, 100.0 * incrementalUploaded / incrementalState);
    }
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "unknown (no /proc/loadavg)";
    }
  }

  private static long longArg(String[] args, String name, long fallback) {
    String value = stringArg(args, name, null);
    return value == null ? fallback : Long.parseLong(value.replace("_", ""));
  }

  private static String stringArg(String[] args, String name, String fallback) {
    for (String arg : args) {
      if (arg.startsWith("--" + name + "=")) {
        return arg.substring(name.length() + 3);
      }
    }
    return fallback;
  }
}
