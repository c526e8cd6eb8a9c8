package dev.weir.checkpoint.storage;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.proto.CheckpointKind;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.NamedBytes;
import dev.weir.checkpoint.proto.StateFile;
import dev.weir.checkpoint.proto.StateFormat;
import dev.weir.checkpoint.proto.StateHandle;
import dev.weir.checkpoint.proto.SubtaskState;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroups;
import dev.weir.state.StateKey;
import dev.weir.state.rocksdb.RocksDbKeyedStateBackend;
import dev.weir.state.rocksdb.RocksDbStateBackendFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.TestName;

/**
 * What {@link CheckpointStorage} does on any file system; subclasses say which one. Each test uses
 * its own job directory, so a file system started once per class serves them all.
 */
public abstract class CheckpointStorageContractTest {
  private static final int MAX_PARALLELISM = 128;
  private static final KeyGroupRange ALL = KeyGroupRange.of(0, MAX_PARALLELISM);
  private static final StateTag<ValueState<String>> VALUE =
      StateTags.value("value", StringUtf8Coder.of());
  private static final StateNamespace GLOBAL = StateNamespaces.global();
  private static final OperatorSubtask COUNTS = new OperatorSubtask("Count.PerKey/Combine", 0);
  protected static final OperatorSubtask SYNTHETIC = new OperatorSubtask("synthetic", 1);

  @Rule public final TemporaryFolder temp = new TemporaryFolder();
  @Rule public final TestName testName = new TestName();

  protected CheckpointStorage storage;

  /** The directory under which each test's job directory is made. */
  protected abstract URI checkpointDirectory();

  protected abstract Map<String, String> hadoopProperties();

  @Before
  public void openStorage() throws IOException {
    storage =
        CheckpointStorage.open(checkpointDirectory(), testName.getMethodName(), hadoopProperties());
  }

  @After
  public void closeStorage() throws IOException {
    if (storage != null) {
      storage.close();
    }
  }

  // ---- Real RocksDB state ----

  @Test
  public void rocksDbSnapshotRoundTripsThroughStorage() throws Exception {
    try (RocksDbStateBackendFactory factory = newFactory()) {
      SnapshotUploader uploader = storage.uploader(COUNTS);
      try (RocksDbKeyedStateBackend backend =
          factory.create(COUNTS.operatorId(), 0, ALL, GlobalWindow.Coder.INSTANCE)) {
        write(backend, 0, 500, "v");
        UploadResult uploaded = upload(uploader, backend, 1);
        storage.complete(checkpoint(1, subtask(COUNTS, uploaded.handle())));
      }

      CompletedCheckpoint latest =
          storage.latestValid(Verification.CHECKSUMS).checkpoint().orElseThrow();
      assertThat(latest.id(), equalTo(1L));
      SubtaskState state = latest.metadata().getSubtasks(0);
      Path local = temp.getRoot().toPath().resolve("restore");
      storage.download(state.getKeyedState(), local);
      try (RocksDbKeyedStateBackend restored =
          factory.restore(
              COUNTS.operatorId(), 0, ALL, GlobalWindow.Coder.INSTANCE, List.of(local))) {
        for (int i = 0; i < 500; i++) {
          assertThat(read(restored, i), equalTo("v-" + i));
        }
      }
    }
  }

  @Test
  public void secondCheckpointUploadsOnlyTheNewSstFiles() throws Exception {
    ExecutorService transfers = Executors.newFixedThreadPool(4);
    try (RocksDbStateBackendFactory factory = newFactory();
        RocksDbKeyedStateBackend backend =
            factory.create(COUNTS.operatorId(), 0, ALL, GlobalWindow.Coder.INSTANCE)) {
      SnapshotUploader uploader = storage.uploader(COUNTS, transfers);
      write(backend, 0, 20_000, "first");
      UploadResult first = upload(uploader, backend, 1);
      storage.complete(checkpoint(1, subtask(COUNTS, first.handle())));
      uploader.checkpointComplete(1);

      write(backend, 20_000, 20_010, "second");
      UploadResult second = upload(uploader, backend, 2);
      CompletedCheckpoint completed =
          storage.complete(checkpoint(2, subtask(COUNTS, second.handle())));

      List<StateFile> sst = files(second.handle(), ".sst");
      List<StateFile> reused = sst.stream().filter(f -> f.getUploadedByCheckpoint() == 1).toList();
      long newBytes =
          second.handle().getFilesList().stream()
              .filter(f -> f.getUploadedByCheckpoint() == 2)
              .mapToLong(StateFile::getSizeBytes)
              .sum();
      long reusedBytes = reused.stream().mapToLong(StateFile::getSizeBytes).sum();
      assertThat(reused, hasSize(files(first.handle(), ".sst").size()));
      assertThat(second.reusedFiles(), equalTo(reused.size()));
      assertThat(second.uploadedBytes(), equalTo(newBytes));
      assertThat(second.uploadedFiles(), equalTo(second.handle().getFilesCount() - reused.size()));
      assertThat(second.uploadedBytes(), lessThan(reusedBytes));
      assertThat(second.uploadedBytes(), lessThan(first.uploadedBytes()));
      for (StateFile file : reused) {
        assertThat(file.getPath(), startsWith("shared/1/"));
      }

      Path local = temp.getRoot().toPath().resolve("restore");
      storage.download(completed.metadata().getSubtasks(0).getKeyedState(), local);
      try (RocksDbKeyedStateBackend restored =
          factory.restore(
              COUNTS.operatorId(), 0, ALL, GlobalWindow.Coder.INSTANCE, List.of(local))) {
        assertThat(read(restored, 7), equalTo("first-7"));
        assertThat(read(restored, 20_005), equalTo("second-20005"));
      }
    } finally {
      transfers.shutdownNow();
    }
  }

  // ---- Synthetic snapshot directories: the storage does not care what the files hold ----

  @Test
  public void sameFileNameInTwoSubtasksNeverSharesAPath() throws Exception {
    OperatorSubtask first = new OperatorSubtask("sum", 0);
    OperatorSubtask second = new OperatorSubtask("sum", 1);
    UploadResult a = uploadSynthetic(storage.uploader(first), 1, Map.of("000009.sst", "zero"));
    UploadResult b = uploadSynthetic(storage.uploader(second), 1, Map.of("000009.sst", "one"));
    CompletedCheckpoint completed =
        storage.complete(checkpoint(1, subtask(first, a.handle()), subtask(second, b.handle())));

    Path localA = temp.getRoot().toPath().resolve("a");
    Path localB = temp.getRoot().toPath().resolve("b");
    storage.download(completed.metadata().getSubtasks(0).getKeyedState(), localA);
    storage.download(completed.metadata().getSubtasks(1).getKeyedState(), localB);
    assertThat(Files.readString(localA.resolve("000009.sst")), equalTo("zero"));
    assertThat(Files.readString(localB.resolve("000009.sst")), equalTo("one"));
  }

  @Test
  public void corruptMetadataIsSkippedWithItsReasonAndThePreviousCheckpointUsed() throws Exception {
    SnapshotUploader uploader = storage.uploader(SYNTHETIC);
    completeSynthetic(uploader, 1, Map.of("1.sst", "one", "MANIFEST-1", "m1"));
    completeSynthetic(uploader, 2, Map.of("1.sst", "one", "2.sst", "two", "MANIFEST-2", "m2"));

    org.apache.hadoop.fs.Path metadata = metadataPath(2);
    byte[] bytes = readAll(metadata);
    bytes[bytes.length - 3] ^= 0x01;
    overwrite(metadata, bytes);

    LatestValidCheckpoint latest = storage.latestValid(Verification.SIZES);
    assertThat(latest.checkpoint().orElseThrow().id(), equalTo(1L));
    assertThat(latest.skipped(), hasSize(1));
    assertThat(latest.skipped().get(0), containsString("checkpoint 2 skipped"));
    assertThat(latest.skipped().get(0), containsString(metadata.toString()));
    assertThat(latest.skipped().get(0), containsString("metadata checksum mismatch"));
  }

  @Test
  public void truncatedStateFileIsSkippedWithItsReasonAndThePreviousCheckpointUsed()
      throws Exception {
    SnapshotUploader uploader = storage.uploader(SYNTHETIC);
    completeSynthetic(uploader, 1, Map.of("1.sst", "one", "MANIFEST-1", "m1"));
    CompletedCheckpoint second =
        completeSynthetic(uploader, 2, Map.of("1.sst", "one", "MANIFEST-2", "manifest two"));

    StateFile manifest =
        files(second.metadata().getSubtasks(0).getKeyedState(), "MANIFEST-2").get(0);
    org.apache.hadoop.fs.Path path = storage.layout().resolve(manifest.getPath());
    overwrite(path, "manifest".getBytes(StandardCharsets.UTF_8));

    LatestValidCheckpoint latest = storage.latestValid(Verification.SIZES);
    assertThat(latest.checkpoint().orElseThrow().id(), equalTo(1L));
    assertThat(
        latest.skipped(),
        contains(containsString(path + ": size mismatch: metadata says 12 bytes, file has 8")));
  }

  @Test
  public void flippedByteInAStateFileIsFoundByChecksumsAndByDownload() throws Exception {
    SnapshotUploader uploader = storage.uploader(SYNTHETIC);
    completeSynthetic(uploader, 1, Map.of("1.sst", "one", "MANIFEST-1", "m1"));
    CompletedCheckpoint second =
        completeSynthetic(uploader, 2, Map.of("1.sst", "one", "2.sst", "two", "MANIFEST-2", "m2"));
    StateFile added = files(second.metadata().getSubtasks(0).getKeyedState(), "2.sst").get(0);
    org.apache.hadoop.fs.Path path = storage.layout().resolve(added.getPath());
    overwrite(path, "twp".getBytes(StandardCharsets.UTF_8));

    assertThat(
        storage.latestValid(Verification.SIZES).checkpoint().orElseThrow().id(), equalTo(2L));
    LatestValidCheckpoint checked = storage.latestValid(Verification.CHECKSUMS);
    assertThat(checked.checkpoint().orElseThrow().id(), equalTo(1L));
    assertThat(checked.skipped(), contains(containsString(path + ": checksum mismatch")));

    CorruptCheckpointException e =
        assertThrows(
            CorruptCheckpointException.class,
            () ->
                storage.download(
                    second.metadata().getSubtasks(0).getKeyedState(),
                    temp.getRoot().toPath().resolve("download")));
    assertThat(e.location(), equalTo(path.toString()));
    assertThat(e.reason(), startsWith("checksum mismatch"));
  }

  @Test
  public void checkpointWithoutMetadataIsSkippedAsNeverCompleted() throws Exception {
    SnapshotUploader uploader = storage.uploader(SYNTHETIC);
    completeSynthetic(uploader, 1, Map.of("1.sst", "one", "MANIFEST-1", "m1"));
    uploadSynthetic(uploader, 2, Map.of("2.sst", "two", "MANIFEST-2", "m2"));

    LatestValidCheckpoint latest = storage.latestValid(Verification.CHECKSUMS);
    assertThat(latest.checkpoint().orElseThrow().id(), equalTo(1L));
    assertThat(latest.skipped(), contains(containsString("no metadata (never completed)")));
  }

  @Test
  public void noCheckpointAtAllIsEmpty() throws Exception {
    LatestValidCheckpoint latest = storage.latestValid(Verification.CHECKSUMS);
    assertFalse(latest.checkpoint().isPresent());
    assertThat(latest.skipped(), empty());
  }

  @Test
  public void completeRefusesACheckpointWhoseFileIsMissing() throws Exception {
    SnapshotUploader uploader = storage.uploader(SYNTHETIC);
    UploadResult uploaded =
        uploadSynthetic(uploader, 1, Map.of("1.sst", "one", "MANIFEST-1", "m1"));
    org.apache.hadoop.fs.Path sst =
        storage.layout().resolve(files(uploaded.handle(), "1.sst").get(0).getPath());
    assertTrue(fs().delete(sst, false));

    CorruptCheckpointException e =
        assertThrows(
            CorruptCheckpointException.class,
            () -> storage.complete(checkpoint(1, subtask(SYNTHETIC, uploaded.handle()))));
    assertThat(e.getMessage(), containsString(sst + ": missing file"));
    assertFalse(fs().exists(metadataPath(1)));
  }

  @Test
  public void retentionKeepsTheNewestAndRemovesWhatNoRetainedCheckpointReferences()
      throws Exception {
    SnapshotUploader uploader = storage.uploader(SYNTHETIC);
    completeSynthetic(uploader, 1, Map.of("a.sst", "a", "b.sst", "b", "MANIFEST-1", "m1"));
    completeSynthetic(uploader, 2, Map.of("b.sst", "b", "c.sst", "c", "MANIFEST-2", "m2"));
    completeSynthetic(
        uploader, 3, Map.of("b.sst", "b", "c.sst", "c", "d.sst", "d", "MANIFEST-3", "m3"));
    // Checkpoint 4 is still uploading when retention runs: its files stay.
    UploadResult inFlight =
        uploadSynthetic(uploader, 4, Map.of("c.sst", "c", "e.sst", "e", "MANIFEST-4", "m4"));

    RetentionResult result = storage.retain(2);

    assertThat(result.removedCheckpoints(), contains(1L));
    assertThat(storage.checkpointIds(), contains(2L, 3L, 4L));
    // a.sst (only checkpoint 1) and MANIFEST-1 went with chk-1; b.sst stays, 2 and 3 use it.
    assertThat(result.removedSharedFiles(), equalTo(1));
    assertThat(
        sharedFiles(),
        equalTo(
            List.of(
                "shared/1/" + SYNTHETIC.directoryName() + "/b.sst",
                "shared/2/" + SYNTHETIC.directoryName() + "/c.sst",
                "shared/3/" + SYNTHETIC.directoryName() + "/d.sst",
                "shared/4/" + SYNTHETIC.directoryName() + "/e.sst")));
    storage.verify(storage.readCheckpoint(2), Verification.CHECKSUMS);
    storage.verify(storage.readCheckpoint(3), Verification.CHECKSUMS);

    storage.complete(checkpoint(4, subtask(SYNTHETIC, inFlight.handle())));
    uploader.checkpointComplete(4);
    RetentionResult second = storage.retain(1);
    assertThat(second.removedCheckpoints(), contains(2L, 3L));
    assertThat(storage.checkpointIds(), contains(4L));
    // c.sst stays where checkpoint 2 uploaded it: checkpoint 4 references it from there.
    assertThat(
        sharedFiles(),
        equalTo(
            List.of(
                "shared/2/" + SYNTHETIC.directoryName() + "/c.sst",
                "shared/4/" + SYNTHETIC.directoryName() + "/e.sst")));
    storage.verify(storage.readCheckpoint(4), Verification.CHECKSUMS);
  }

  @Test
  public void afterASharedFileWasLostAnUploaderThatForgetsItsUploadsCompletesAgain()
      throws Exception {
    SnapshotUploader uploader = storage.uploader(SYNTHETIC);
    CompletedCheckpoint first =
        completeSynthetic(uploader, 1, Map.of("1.sst", "one", "MANIFEST-1", "m1"));
    org.apache.hadoop.fs.Path lost =
        storage
            .layout()
            .resolve(
                files(first.metadata().getSubtasks(0).getKeyedState(), "1.sst").get(0).getPath());
    assertTrue(fs().delete(lost, false));

    // Referencing the lost file again fails the checkpoint, and would fail every later one.
    UploadResult referencing =
        uploadSynthetic(uploader, 2, Map.of("1.sst", "one", "MANIFEST-2", "m2"));
    assertThat(referencing.reusedFiles(), equalTo(1));
    assertThrows(
        CorruptCheckpointException.class,
        () -> storage.complete(checkpoint(2, subtask(SYNTHETIC, referencing.handle()))));
    uploader.checkpointAborted(2);
    storage.discard(2);
    uploader.forgetUploadedFiles();

    CompletedCheckpoint third =
        completeSynthetic(uploader, 3, Map.of("1.sst", "one", "MANIFEST-3", "m3"));
    assertThat(
        third.metadata().getSubtasks(0).getKeyedState().getFilesList().stream()
            .map(StateFile::getPath)
            .toList(),
        everyItem(org.hamcrest.Matchers.anyOf(startsWith("shared/3/"), startsWith("chk-3/"))));
    storage.verify(storage.readCheckpoint(3), Verification.CHECKSUMS);
  }

  @Test
  public void discardRemovesAFailedCheckpointAndOnlyTheFilesItUploaded() throws Exception {
    SnapshotUploader uploader = storage.uploader(SYNTHETIC);
    completeSynthetic(uploader, 1, Map.of("1.sst", "one", "MANIFEST-1", "m1"));
    UploadResult failed =
        uploadSynthetic(uploader, 2, Map.of("1.sst", "one", "2.sst", "two", "MANIFEST-2", "m2"));
    assertThat(failed.reusedFiles(), equalTo(1));

    uploader.checkpointAborted(2);
    storage.discard(2);

    assertThat(storage.checkpointIds(), contains(1L));
    assertThat(sharedFiles(), equalTo(List.of("shared/1/" + SYNTHETIC.directoryName() + "/1.sst")));
    storage.verify(storage.readCheckpoint(1), Verification.CHECKSUMS);
    // The next checkpoint reuses checkpoint 1's file again, not the discarded one's.
    CompletedCheckpoint third =
        completeSynthetic(uploader, 3, Map.of("1.sst", "one", "2.sst", "two", "MANIFEST-3", "m3"));
    assertThat(
        third.metadata().getSubtasks(0).getKeyedState().getFilesList().stream()
            .map(StateFile::getPath)
            .toList(),
        everyItem(
            org.hamcrest.Matchers.anyOf(
                startsWith("shared/1/"), startsWith("shared/3/"), startsWith("chk-3/"))));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> storage.discard(1));
    assertThat(e.getMessage(), containsString("completed"));
  }

  @Test
  public void recoveryDiscardsWhatTheFailedAttemptLeftAndNeverReusesItsIds() throws Exception {
    SnapshotUploader uploader = storage.uploader(SYNTHETIC);
    completeSynthetic(uploader, 1, Map.of("1.sst", "one", "MANIFEST-1", "m1"));
    completeSynthetic(uploader, 2, Map.of("1.sst", "one", "2.sst", "two", "MANIFEST-2", "m2"));
    // The attempt fails while checkpoints 3 and 4 upload; 4 got only an SST file out.
    uploadSynthetic(uploader, 3, Map.of("3.sst", "three", "MANIFEST-3", "m3"));
    uploadSynthetic(uploader, 4, Map.of("4.sst", "four"));

    assertThat(storage.nextCheckpointId(), equalTo(5L));
    assertThat(storage.discardAbandoned(), contains(3L, 4L));

    assertThat(storage.checkpointIds(), contains(1L, 2L));
    assertThat(
        sharedFiles(),
        equalTo(
            List.of(
                "shared/1/" + SYNTHETIC.directoryName() + "/1.sst",
                "shared/2/" + SYNTHETIC.directoryName() + "/2.sst")));
    LatestValidCheckpoint latest = storage.latestValid(Verification.CHECKSUMS);
    assertThat(latest.checkpoint().orElseThrow().id(), equalTo(2L));
    assertThat(latest.skipped(), empty());
  }

  @Test
  public void savepointIsSelfContainedAndOutlivesRetention() throws Exception {
    SnapshotUploader uploader = storage.uploader(SYNTHETIC);
    completeSynthetic(uploader, 1, Map.of("1.sst", "one", "MANIFEST-1", "m1"));
    completeSynthetic(uploader, 2, Map.of("1.sst", "one", "2.sst", "two", "MANIFEST-2", "m2"));

    CompletedCheckpoint savepoint = storage.savepoint(2);

    assertThat(savepoint.metadata().getKind(), equalTo(CheckpointKind.SAVEPOINT));
    List<String> paths =
        savepoint.metadata().getSubtasks(0).getKeyedState().getFilesList().stream()
            .map(StateFile::getPath)
            .toList();
    assertThat(paths, hasSize(3));
    assertThat(paths, everyItem(startsWith("savepoint-2/")));
    assertThat(
        savepoint.metadata().getSubtasks(0).getEntries(0).getValue().toStringUtf8(),
        equalTo("position-2"));

    completeSynthetic(uploader, 3, Map.of("3.sst", "three", "MANIFEST-3", "m3"));
    storage.retain(1);
    assertThat(storage.checkpointIds(), contains(3L));
    assertThat(storage.savepointIds(), contains(2L));

    CompletedCheckpoint read = storage.readSavepoint(2);
    storage.verify(read, Verification.CHECKSUMS);
    Path local = temp.getRoot().toPath().resolve("from-savepoint");
    storage.download(read.metadata().getSubtasks(0).getKeyedState(), local);
    assertThat(Files.readString(local.resolve("2.sst")), equalTo("two"));
    assertThat(Files.readString(local.resolve("1.sst")), equalTo("one"));
  }

  // ---- helpers ----

  private RocksDbStateBackendFactory newFactory() throws IOException {
    return new RocksDbStateBackendFactory(temp.newFolder().toPath(), 8 << 20, 8 << 20);
  }

  private UploadResult upload(SnapshotUploader uploader, RocksDbKeyedStateBackend backend, long id)
      throws IOException {
    Path local = temp.getRoot().toPath().resolve("snapshot-" + id);
    backend.snapshot(local);
    return uploader.upload(id, local, StateFormat.ROCKSDB_SNAPSHOT);
  }

  private static StateKey key(int i) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      StringUtf8Coder.of().encode("key-" + i, out, Coder.Context.NESTED);
      byte[] bytes = out.toByteArray();
      return new StateKey(bytes, "key-" + i, KeyGroups.keyGroupFor(bytes, MAX_PARALLELISM));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(RocksDbKeyedStateBackend backend, int from, int to, String prefix) {
    for (int i = from; i < to; i++) {
      backend.stateInternals(key(i)).state(GLOBAL, VALUE).write(prefix + "-" + i);
    }
  }

  private static String read(RocksDbKeyedStateBackend backend, int i) {
    return backend.stateInternals(key(i)).state(GLOBAL, VALUE).read();
  }

  private Path snapshot(Map<String, String> files) throws IOException {
    Path dir = temp.newFolder().toPath();
    for (Map.Entry<String, String> file : new LinkedHashMap<>(files).entrySet()) {
      Files.writeString(dir.resolve(file.getKey()), file.getValue());
    }
    return dir;
  }

  private UploadResult uploadSynthetic(
      SnapshotUploader uploader, long id, Map<String, String> files) throws IOException {
    return uploader.upload(id, snapshot(files), StateFormat.ROCKSDB_SNAPSHOT);
  }

  protected CompletedCheckpoint completeSynthetic(
      SnapshotUploader uploader, long id, Map<String, String> files) throws IOException {
    UploadResult uploaded = uploader.upload(id, snapshot(files), StateFormat.ROCKSDB_SNAPSHOT);
    SubtaskState state =
        subtask(SYNTHETIC, uploaded.handle()).toBuilder()
            .addEntries(
                NamedBytes.newBuilder()
                    .setName("source-position")
                    .setValue(ByteString.copyFromUtf8("position-" + id)))
            .build();
    CompletedCheckpoint completed = storage.complete(checkpoint(id, state));
    uploader.checkpointComplete(id);
    return completed;
  }

  private static SubtaskState subtask(OperatorSubtask owner, StateHandle handle) {
    return SubtaskState.newBuilder()
        .setOperatorId(owner.operatorId())
        .setSubtaskIndex(owner.subtask())
        .setKeyGroups(
            dev.weir.checkpoint.proto.KeyGroupRange.newBuilder()
                .setStart(ALL.start())
                .setEnd(ALL.end()))
        .setKeyedState(handle)
        .build();
  }

  private static CheckpointMetadata checkpoint(long id, SubtaskState... subtasks) {
    return CheckpointMetadata.newBuilder()
        .setCheckpointId(id)
        .setKind(CheckpointKind.CHECKPOINT)
        .setPlanFingerprint(ByteString.copyFromUtf8("plan-1"))
        .setTriggeredAtMillis(1000 * id)
        .setCompletedAtMillis(1000 * id + 10)
        .addAllSubtasks(List.of(subtasks))
        .build();
  }

  protected static List<StateFile> files(StateHandle handle, String suffix) {
    return handle.getFilesList().stream().filter(f -> f.getLocalName().endsWith(suffix)).toList();
  }

  private FileSystem fs() {
    return storage.fileSystem();
  }

  private org.apache.hadoop.fs.Path metadataPath(long id) {
    return new org.apache.hadoop.fs.Path(
        storage.layout().checkpointDirectory(id), CheckpointLayout.METADATA);
  }

  private byte[] readAll(org.apache.hadoop.fs.Path path) throws IOException {
    try (InputStream in = fs().open(path)) {
      return in.readAllBytes();
    }
  }

  private void overwrite(org.apache.hadoop.fs.Path path, byte[] bytes) throws IOException {
    try (OutputStream out = fs().create(path, true)) {
      out.write(bytes);
    }
  }

  /** Shared files, relative to the job directory, sorted. */
  private List<String> sharedFiles() throws IOException {
    List<String> found = new ArrayList<>();
    org.apache.hadoop.fs.Path shared = storage.layout().sharedDirectory();
    if (!fs().exists(shared)) {
      return found;
    }
    String job = storage.layout().jobDirectory().toUri().getPath() + "/";
    RemoteIterator<LocatedFileStatus> files = fs().listFiles(shared, true);
    while (files.hasNext()) {
      String path = files.next().getPath().toUri().getPath();
      found.add(path.substring(job.length()));
    }
    return found.stream().sorted().collect(Collectors.toList());
  }
}
