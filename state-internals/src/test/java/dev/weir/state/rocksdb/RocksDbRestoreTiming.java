package dev.weir.state.rocksdb;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;

/**
 * Measures a RocksDB restore of one snapshot into the range it owned and into half of it, both
 * ways: linking its files (and dropping the other half with range deletions) as restore does, and
 * copying key by key. Not a test: run by hand, e.g. {@code java -cp <test classpath>
 * dev.weir.state.rocksdb.RocksDbRestoreTiming 1000000 /tmp/dir}; prints the figures.
 */
public final class RocksDbRestoreTiming {
  private static final StateTag<ValueState<String>> VALUE =
      StateTags.value("value", StringUtf8Coder.of());

  private RocksDbRestoreTiming() {}

  public static void main(String[] args) throws Exception {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path root = Files.createTempDirectory(Path.of(args.length > 1 ? args[1] : "/tmp"), "timing-");
    KeyGroupRange all = KeyGroupRange.of(0, TestKeys.MAX_PARALLELISM);
    try (RocksDbResources resources = RocksDbResources.create(256L << 20, 64L << 20, 0)) {
      Path snapshot = root.resolve("snapshot");
      long start = System.nanoTime();
      try (RocksDbKeyedStateBackend source =
          RocksDbKeyedStateBackend.open(
              root.resolve("source"), all, resources, GlobalWindow.Coder.INSTANCE, true)) {
        for (int i = 0; i < keys; i++) {
          source
              .stateInternals(TestKeys.of("key-" + i))
              .state(StateNamespaces.global(), VALUE)
              .write("value-" + i);
        }
        source.snapshot(snapshot);
      }
      System.out.printf(
          "wrote and snapshotted %,d keys in %d ms; snapshot %,d bytes%n",
          keys, (System.nanoTime() - start) / 1_000_000, size(snapshot));
      KeyGroupRange half = KeyGroupRange.forSubtask(0, 2, TestKeys.MAX_PARALLELISM);
      for (int round = 0; round < 3; round++) {
        for (KeyGroupRange range : List.of(all, half)) {
          for (boolean link : new boolean[] {true, false}) {
            Path dir = root.resolve("restored-" + round + "-" + range.end() + "-" + link);
            long began = System.nanoTime();
            try (RocksDbKeyedStateBackend restored =
                RocksDbKeyedStateBackend.restore(
                    dir, range, resources, GlobalWindow.Coder.INSTANCE, true, List.of(snapshot),
                    link)) {
              long millis = (System.nanoTime() - began) / 1_000_000;
              System.out.printf(
                  "round %d into %-22s %-17s %6d ms  (%,d keys restored)%n",
                  round, range, link ? "link files:" : "copy key by key:", millis,
                  count(restored, range));
            }
          }
        }
      }
    } finally {
      RocksDbKeyedStateBackend.deleteRecursively(root);
    }
  }

  private static long count(RocksDbKeyedStateBackend backend, KeyGroupRange range) {
    AtomicLong count = new AtomicLong();
    for (int group = range.start(); group < range.end(); group++) {
      backend.forEachKey(group, key -> count.incrementAndGet());
    }
    return count.get();
  }

  private static long size(Path directory) throws Exception {
    try (var files = Files.list(directory)) {
      return files.mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
