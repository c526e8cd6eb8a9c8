package dev.weir.benchmarks.checkpoint;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.Assert.assertEquals;

import dev.weir.checkpoint.storage.CheckpointStorage;
import dev.weir.state.rocksdb.RocksDbStateBackendFactory;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The benchmark's checkpoints, small: a RocksDB checkpoint after 1 % of the keys changed uploads a
 * small part of the state, a heap checkpoint all of it, and both restore every key's newest value.
 */
public class CheckpointedKeysTest {
  private static final int KEYS = 10_000;
  private static final int VALUE_BYTES = 100;

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  @Test
  public void rocksDbCheckpointAfterOnePercentChangedUploadsOnlyTheNewFiles() throws Exception {
    Path root = temp.getRoot().toPath();
    try (CheckpointStorage storage =
            CheckpointStorage.open(root.resolve("storage").toUri(), "test", Map.of());
        RocksDbStateBackendFactory factory =
            new RocksDbStateBackendFactory(root.resolve("state"), 16L << 20, 8L << 20, 64L << 10);
        CheckpointedKeys state =
            CheckpointedKeys.rocksDb(
                factory, storage, root.resolve("local"), 3, KEYS, VALUE_BYTES)) {
      state.writeAll();
      CheckpointFigures full = state.checkpoint();
      assertEquals(full.stateBytes(), full.uploadedBytes());
      assertThat(full.stateBytes(), greaterThan((long) KEYS * VALUE_BYTES));

      assertEquals(KEYS / 100, state.changeRandomKeys(0.01, 1));
      CheckpointFigures incremental = state.checkpoint();

      // The 100 changed keys make one small new SST file; the unchanged one is referenced again.
      // The rest of the upload is the small files copied whole every time (MANIFEST, OPTIONS,
      // CURRENT): 3.6 % of this small state in all, far below 30 %, while re-uploading the old SST
      // would exceed 100 %.
      assertThat(incremental.reusedFiles(), greaterThan(0));
      assertThat(incremental.uploadedBytes(), lessThan(full.uploadedBytes() * 3 / 10));
      assertEquals(KEYS, state.verifyRestore(KEYS, 1));
    }
  }

  @Test
  public void heapCheckpointUploadsTheWholeStateEveryTime() throws Exception {
    Path root = temp.getRoot().toPath();
    try (CheckpointStorage storage =
            CheckpointStorage.open(root.resolve("storage").toUri(), "test", Map.of());
        CheckpointedKeys state =
            CheckpointedKeys.heap(storage, root.resolve("local"), 3, KEYS, VALUE_BYTES)) {
      state.writeAll();
      CheckpointFigures full = state.checkpoint();
      state.changeRandomKeys(0.01, 1);
      CheckpointFigures second = state.checkpoint();

      assertEquals(0, second.reusedFiles());
      assertThat(second.uploadedBytes(), greaterThanOrEqualTo(full.uploadedBytes()));
      assertEquals(KEYS, state.verifyRestore(KEYS, 1));
    }
  }
}
