package dev.weir.worker.task;

import dev.weir.checkpoint.proto.StateFormat;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.memory.InMemoryKeyedStateBackend;
import dev.weir.state.rocksdb.RocksDbStateBackendFactory;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;

/**
 * Makes the keyed state backend of one operator of one subtask: empty, or restored from local
 * snapshots a checkpoint stored; and says what kind of snapshot its backends write.
 */
public interface StateBackendFactory {

  /**
   * A new, empty backend for the key groups {@code keyGroups}; {@code windowCoder} is the coder of
   * the windows its timers' namespaces name.
   */
  KeyedStateBackend create(
      TaskId task,
      String operatorName,
      KeyGroupRange keyGroups,
      Coder<? extends BoundedWindow> windowCoder);

  /**
   * A backend holding the key groups of {@code keyGroups} found in {@code snapshots}: local
   * directories, each one snapshot of an old subtask's backend of the operator (downloaded).
   */
  KeyedStateBackend restore(
      TaskId task,
      String operatorName,
      KeyGroupRange keyGroups,
      Coder<? extends BoundedWindow> windowCoder,
      List<Path> snapshots);

  /** What the backends' {@link KeyedStateBackend#snapshot} writes, for the state handle. */
  StateFormat snapshotFormat();

  /**
   * Where the subtasks put local snapshots until they are uploaded. RocksDB hard-links its files
   * into a snapshot, so for it this is on the file system of its databases.
   */
  Path snapshotParent();

  /** Heap backends; snapshots go to the JVM's temporary directory. */
  static StateBackendFactory inMemory() {
    return new StateBackendFactory() {
      @Override
      public KeyedStateBackend create(
          TaskId task,
          String operatorName,
          KeyGroupRange keyGroups,
          Coder<? extends BoundedWindow> windowCoder) {
        return new InMemoryKeyedStateBackend(keyGroups);
      }

      @Override
      public KeyedStateBackend restore(
          TaskId task,
          String operatorName,
          KeyGroupRange keyGroups,
          Coder<? extends BoundedWindow> windowCoder,
          List<Path> snapshots) {
        return InMemoryKeyedStateBackend.restore(keyGroups, windowCoder, snapshots);
      }

      @Override
      public StateFormat snapshotFormat() {
        return StateFormat.HEAP_SNAPSHOT;
      }

      @Override
      public Path snapshotParent() {
        return Paths.get(System.getProperty("java.io.tmpdir"));
      }
    };
  }

  /** RocksDB backends of {@code rocks}, which the caller closes after the backends. */
  static StateBackendFactory rocksDb(RocksDbStateBackendFactory rocks) {
    return new StateBackendFactory() {
      @Override
      public KeyedStateBackend create(
          TaskId task,
          String operatorName,
          KeyGroupRange keyGroups,
          Coder<? extends BoundedWindow> windowCoder) {
        return rocks.create(operatorName, task.subtask(), keyGroups, windowCoder);
      }

      @Override
      public KeyedStateBackend restore(
          TaskId task,
          String operatorName,
          KeyGroupRange keyGroups,
          Coder<? extends BoundedWindow> windowCoder,
          List<Path> snapshots) {
        return rocks.restore(operatorName, task.subtask(), keyGroups, windowCoder, snapshots);
      }

      @Override
      public StateFormat snapshotFormat() {
        return StateFormat.ROCKSDB_SNAPSHOT;
      }

      @Override
      public Path snapshotParent() {
        return rocks.stateDirectory();
      }
    };
  }
}
