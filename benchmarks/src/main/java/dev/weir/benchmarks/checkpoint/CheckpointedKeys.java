package dev.weir.benchmarks.checkpoint;

import dev.weir.benchmarks.state.LongStateKeys;
import dev.weir.checkpoint.proto.CheckpointKind;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.StateFile;
import dev.weir.checkpoint.proto.StateFormat;
import dev.weir.checkpoint.proto.SubtaskState;
import dev.weir.checkpoint.storage.CheckpointStorage;
import dev.weir.checkpoint.storage.CompletedCheckpoint;
import dev.weir.checkpoint.storage.OperatorSubtask;
import dev.weir.checkpoint.storage.SnapshotUploader;
import dev.weir.checkpoint.storage.UploadResult;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.memory.InMemoryKeyedStateBackend;
import dev.weir.state.rocksdb.RocksDbStateBackendFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;

/**
 * One subtask's keyed state under checkpoints: a backend holding a {@code ValueState<byte[]>} of
 * {@code valueBytes} random (so incompressible) bytes for each of {@code keys} long keys, written
 * through Beam's state API as an operator writes it, and checkpointed the way the worker and the
 * coordinator do it: {@link KeyedStateBackend#snapshot} into a local directory (the synchronous
 * part), {@link SnapshotUploader#upload} of that directory (the asynchronous part), {@link
 * CheckpointStorage#complete} of the metadata, {@link SnapshotUploader#checkpointComplete} (so the
 * next upload may reuse its files), {@link CheckpointStorage#retain}.
 *
 * <p>Every key's current version is remembered, so {@link #verifyRestore} can check the newest
 * checkpoint by restoring it into a new backend and reading keys back.
 */
public final class CheckpointedKeys implements AutoCloseable {
  private static final StateTag<ValueState<byte[]>> VALUE =
      StateTags.value("value", ByteArrayCoder.of());
  private static final KeyGroupRange ALL_GROUPS =
      KeyGroupRange.of(0, LongStateKeys.MAX_PARALLELISM);
  private static final String OPERATOR = "checkpoint-benchmark/values";

  private final KeyedStateBackend backend;
  private final StateFormat format;
  /** Builds a backend from downloaded snapshot directories. */
  private final Function<List<Path>, KeyedStateBackend> restorer;

  private final CheckpointStorage storage;
  private final SnapshotUploader uploader;
  private final Path localSnapshots;
  private final int retained;
  private final int keys;
  private final int valueBytes;
  /** Version of each key's value; the value is a function of key and version. */
  private final byte[] versions;

  private long nextCheckpointId = 1;
  private long changedSinceCheckpoint;

  private CheckpointedKeys(
      KeyedStateBackend backend,
      StateFormat format,
      Function<List<Path>, KeyedStateBackend> restorer,
      CheckpointStorage storage,
      Path localSnapshots,
      int retained,
      int keys,
      int valueBytes) {
    this.backend = backend;
    this.format = format;
    this.restorer = restorer;
    this.storage = storage;
    this.uploader = storage.uploader(new OperatorSubtask(OPERATOR, 0));
    this.localSnapshots = localSnapshots;
    this.retained = retained;
    this.keys = keys;
    this.valueBytes = valueBytes;
    this.versions = new byte[keys];
  }

  /**
   * A RocksDB backend of {@code factory}, checkpointed into {@code storage}; local snapshots go
   * under {@code localSnapshots} (created if missing) and are removed once uploaded.
   */
  public static CheckpointedKeys rocksDb(
      RocksDbStateBackendFactory factory,
      CheckpointStorage storage,
      Path localSnapshots,
      int retained,
      int keys,
      int valueBytes) {
    return new CheckpointedKeys(
        factory.create(OPERATOR, 0, ALL_GROUPS, GlobalWindow.Coder.INSTANCE),
        StateFormat.ROCKSDB_SNAPSHOT,
        dirs -> factory.restore(OPERATOR, 0, ALL_GROUPS, GlobalWindow.Coder.INSTANCE, dirs),
        storage,
        localSnapshots,
        retained,
        keys,
        valueBytes);
  }

  /** A heap backend, checkpointed into {@code storage}; see {@link #rocksDb}. */
  public static CheckpointedKeys heap(
      CheckpointStorage storage, Path localSnapshots, int retained, int keys, int valueBytes) {
    return new CheckpointedKeys(
        new InMemoryKeyedStateBackend(ALL_GROUPS),
        StateFormat.HEAP_SNAPSHOT,
        dirs -> InMemoryKeyedStateBackend.restore(ALL_GROUPS, GlobalWindow.Coder.INSTANCE, dirs),
        storage,
        localSnapshots,
        retained,
        keys,
        valueBytes);
  }

  public int keys() {
    return keys;
  }

  /** Writes every key's first value. */
  public void writeAll() {
    for (int k = 0; k < keys; k++) {
      write(k);
    }
  }

  /**
   * Writes a new value for {@code round(fraction × keys)} distinct keys chosen at random with
   * {@code seed}; returns how many.
   */
  public int changeRandomKeys(double fraction, long seed) {
    int count = (int) Math.round(fraction * keys);
    SplittableRandom random = new SplittableRandom(seed);
    BitSet changed = new BitSet(keys);
    int done = 0;
    while (done < count) {
      int k = random.nextInt(keys);
      if (!changed.get(k)) {
        changed.set(k);
        versions[k]++;
        write(k);
        done++;
      }
    }
    return done;
  }

  private void write(int k) {
    backend
        .stateInternals(LongStateKeys.of(k))
        .state(StateNamespaces.global(), VALUE)
        .write(valueOf(k, versions[k]));
    changedSinceCheckpoint++;
  }

  private byte[] valueOf(int key, byte version) {
    byte[] value = new byte[valueBytes];
    new SplittableRandom(key * 1_000_003L + version).nextBytes(value);
    return value;
  }

  /** Takes, uploads and completes the next checkpoint. */
  public CheckpointFigures checkpoint() throws IOException {
    long id = nextCheckpointId++;
    Path local = localSnapshots.resolve("chk-" + id);
    Files.createDirectories(localSnapshots);

    long start = System.nanoTime();
    backend.snapshot(local);
    long synced = System.nanoTime();
    UploadResult upload = uploader.upload(id, local, format);
    long uploaded = System.nanoTime();
    CheckpointMetadata metadata =
        CheckpointMetadata.newBuilder()
            .setCheckpointId(id)
            .setKind(CheckpointKind.CHECKPOINT)
            .setTriggeredAtMillis(System.currentTimeMillis())
            .setCompletedAtMillis(System.currentTimeMillis())
            .setMaxParallelism(LongStateKeys.MAX_PARALLELISM)
            .addSubtasks(
                SubtaskState.newBuilder()
                    .setOperatorId(OPERATOR)
                    .setSubtaskIndex(0)
                    .setKeyGroups(
                        dev.weir.checkpoint.proto.KeyGroupRange.newBuilder()
                            .setStart(ALL_GROUPS.start())
                            .setEnd(ALL_GROUPS.end()))
                    .setKeyedState(upload.handle()))
            .build();
    storage.complete(metadata);
    uploader.checkpointComplete(id);
    storage.retain(retained);
    long completed = System.nanoTime();

    long largest =
        upload.handle().getFilesList().stream()
            .filter(f -> f.getUploadedByCheckpoint() == id)
            .mapToLong(StateFile::getSizeBytes)
            .max()
            .orElse(0);
    CheckpointFigures figures =
        new CheckpointFigures(
            id,
            changedSinceCheckpoint,
            synced - start,
            uploaded - synced,
            completed - uploaded,
            directorySize(local),
            fileCount(local),
            upload.uploadedBytes(),
            upload.uploadedFiles(),
            upload.reusedFiles(),
            largest,
            directorySize(Path.of(storage.jobDirectory())));
    deleteRecursively(local);
    changedSinceCheckpoint = 0;
    return figures;
  }

  /**
   * Downloads the newest checkpoint, restores it into a new backend, and checks that {@code
   * sample} keys chosen at random with {@code seed}, and every key when {@code sample} is at least
   * the number of keys, read their newest value.
   *
   * @return the keys checked
   * @throws IllegalStateException naming the first key that reads another value
   */
  public int verifyRestore(int sample, long seed) throws IOException {
    CompletedCheckpoint newest = storage.readCheckpoint(nextCheckpointId - 1);
    Path download = localSnapshots.resolve("restore-" + newest.id());
    storage.download(newest.metadata().getSubtasks(0).getKeyedState(), download);
    int checked = 0;
    try (KeyedStateBackend restored = restorer.apply(List.of(download))) {
      SplittableRandom random = new SplittableRandom(seed);
      boolean all = sample >= keys;
      for (int i = 0; i < (all ? keys : sample); i++) {
        int k = all ? i : random.nextInt(keys);
        byte[] read =
            restored
                .stateInternals(LongStateKeys.of(k))
                .state(StateNamespaces.global(), VALUE)
                .read();
        if (!Arrays.equals(read, valueOf(k, versions[k]))) {
          throw new IllegalStateException(
              "Key " + k + " restored from checkpoint " + newest.id()
                  + " does not read its version " + versions[k]);
        }
        checked++;
      }
    } finally {
      deleteRecursively(download);
    }
    return checked;
  }

  @Override
  public void close() {
    backend.close();
  }

  static long directorySize(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(CheckpointedKeys::size).sum();
    }
  }

  private static int fileCount(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return (int) files.filter(Files::isRegularFile).count();
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
