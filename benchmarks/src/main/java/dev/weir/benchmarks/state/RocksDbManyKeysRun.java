package dev.weir.benchmarks.state;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.StateKey;
import dev.weir.state.rocksdb.RocksDbKeyedStateBackend;
import dev.weir.state.rocksdb.RocksDbStateBackendFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;

/**
 * Writes one {@code ValueState<Long>} for each of many distinct keys (10 million by default) into a
 * RocksDB backend, reads a random sample back, and prints elapsed time, heap peak, resident-memory
 * peak and disk use. Meant to run under a heap far smaller than the state ({@code -Xmx1g}): it
 * shows that keys live in RocksDB, not on the heap. The state directory is a temp directory,
 * removed at the end.
 *
 * <p>Arguments (all optional): {@code --keys=10000000 --sample=100000 --blockCacheMb=256
 * --writeBufferMb=64 --readCacheMb=16 --parent=<dir for the temp state directory>}. With Weir's
 * default read cache the second read of the sample is answered from the heap as far as the sample
 * fits in it; {@code --readCacheMb=0} times RocksDB's block cache instead.
 */
public final class RocksDbManyKeysRun {
  private static final StateTag<ValueState<Long>> VALUE =
      StateTags.value("value", VarLongCoder.of());
  private static final long MB = 1L << 20;

  private RocksDbManyKeysRun() {}

  /** The value stored for key {@code k}: not the key itself, so a mix-up of keys is caught. */
  private static long valueOf(long k) {
    return k * 7 + 3;
  }

  public static void main(String[] args) throws Exception {
    long keys = longArg(args, "keys", 10_000_000);
    long sample = longArg(args, "sample", 100_000);
    long blockCacheMb = longArg(args, "blockCacheMb", 256);
    long writeBufferMb = longArg(args, "writeBufferMb", 64);
    long readCacheMb = longArg(args, "readCacheMb", 16);
    Path parent =
        Files.createTempDirectory(
            Path.of(stringArg(args, "parent", System.getProperty("java.io.tmpdir"))),
            "weir-many-keys-");
    System.out.printf(
        "keys=%,d sample=%,d maxHeap=%,d MiB blockCache=%d MiB writeBuffers=%d MiB"
            + " readCache=%d MiB dir=%s%n",
        keys,
        sample,
        Runtime.getRuntime().maxMemory() / MB,
        blockCacheMb,
        writeBufferMb,
        readCacheMb,
        parent);

    long writeNanos;
    long readNanos;
    long warmReadNanos;
    long snapshotNanos;
    long diskBytes;
    long snapshotBytes;
    try (HeapPeak heap = HeapPeak.start();
        RocksDbStateBackendFactory factory =
            new RocksDbStateBackendFactory(
                parent, blockCacheMb * MB, writeBufferMb * MB, readCacheMb * MB)) {
      RocksDbKeyedStateBackend backend =
          factory.create(
              "many-keys",
              0,
              KeyGroupRange.of(0, LongStateKeys.MAX_PARALLELISM),
              GlobalWindow.Coder.INSTANCE);
      try {
        long start = System.nanoTime();
        for (long k = 0; k < keys; k++) {
          // The key is encoded and hashed here, per element, as the worker does.
          StateKey key = LongStateKeys.of(k);
          backend.stateInternals(key).state(StateNamespaces.global(), VALUE).write(valueOf(k));
          if ((k + 1) % 1_000_000 == 0) {
            double s = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                "  %,d keys written, %.1f s, %,.0f keys/s, heap used %,d MiB%n",
                k + 1, s, (k + 1) / s, usedHeap() / MB);
          }
        }
        writeNanos = System.nanoTime() - start;

        // The same random sample twice: first with cold caches (index, filter and data blocks read
        // from the files), then warm (blocks in RocksDB's block cache, values in Weir's read cache
        // as far as they fit).
        start = System.nanoTime();
        readSample(backend, keys, sample);
        readNanos = System.nanoTime() - start;
        start = System.nanoTime();
        readSample(backend, keys, sample);
        warmReadNanos = System.nanoTime() - start;
        Long absent =
            backend.stateInternals(LongStateKeys.of(keys)).state(StateNamespaces.global(), VALUE).read();
        if (absent != null) {
          throw new IllegalStateException("Key " + keys + " was never written but reads " + absent);
        }

        // A snapshot flushes the memtables, so the directory size afterwards counts every key.
        Path snapshot = parent.resolve("snapshot");
        start = System.nanoTime();
        backend.snapshot(snapshot);
        snapshotNanos = System.nanoTime() - start;
        diskBytes = directorySize(backend.directory());
        snapshotBytes = directorySize(snapshot);
      } finally {
        backend.close();
      }
      heap.close();
      System.out.printf("write      %,d keys in %.1f s: %,.0f keys/s, %.2f µs/key%n",
          keys, writeNanos / 1e9, keys / (writeNanos / 1e9), writeNanos / 1e3 / keys);
      System.out.printf("read back  %,d random keys in %.2f s: %.2f µs/key cold, %.2f µs/key warm,"
              + " all correct%n",
          sample, readNanos / 1e9, readNanos / 1e3 / Math.max(1, sample),
          warmReadNanos / 1e3 / Math.max(1, sample));
      System.out.printf("snapshot   %.2f s (hard links; %,d MiB)%n",
          snapshotNanos / 1e9, snapshotBytes / MB);
      System.out.printf("disk       %,d MiB in the state directory after flush (%.1f bytes/key)%n",
          diskBytes / MB, (double) diskBytes / keys);
      System.out.printf("heap peak  %,d MiB sampled, %,d MiB sum of pool peaks (max heap %,d MiB)%n",
          heap.sampledMaxBytes() / MB, heap.poolPeakSumBytes() / MB,
          Runtime.getRuntime().maxMemory() / MB);
      System.out.printf("RSS peak   %s (heap + RocksDB native memory)%n", procStatus("VmHWM"));
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        System.out.printf("gc         %s: %d collections, %.1f s%n",
            gc.getName(), gc.getCollectionCount(), gc.getCollectionTime() / 1e3);
      }
    }
    deleteRecursively(parent);
    System.out.printf("state directory removed: %s%n", !Files.exists(parent));
  }

  private static void readSample(RocksDbKeyedStateBackend backend, long keys, long sample) {
    SplittableRandom random = new SplittableRandom(42);
    for (long i = 0; i < sample; i++) {
      long k = random.nextLong(keys);
      Long read =
          backend.stateInternals(LongStateKeys.of(k)).state(StateNamespaces.global(), VALUE).read();
      if (read == null || read != valueOf(k)) {
        throw new IllegalStateException("Key " + k + " read " + read + ", wrote " + valueOf(k));
      }
    }
  }

  private static long usedHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long directorySize(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(RocksDbManyKeysRun::size).sum();
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String procStatus(String field) throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return "unknown (no /proc)";
    }
    List<String> lines = Files.readAllLines(status);
    return lines.stream()
        .filter(l -> l.startsWith(field + ":"))
        .map(l -> l.substring(field.length() + 1).trim())
        .findFirst()
        .orElse("unknown");
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
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
