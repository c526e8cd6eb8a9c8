package dev.weir.checkpoint.restore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import dev.weir.checkpoint.proto.CheckpointKind;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.StateFormat;
import dev.weir.checkpoint.proto.SubtaskState;
import dev.weir.checkpoint.storage.CheckpointStorage;
import dev.weir.checkpoint.storage.CorruptCheckpointException;
import dev.weir.checkpoint.storage.OperatorSubtask;
import dev.weir.checkpoint.storage.UploadResult;
import dev.weir.checkpoint.storage.Verification;
import java.io.FileNotFoundException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code --restoreFrom}: a checkpoint's or savepoint's directory URI, read and verified. */
public class RestoreSourceTest {
  private static final OperatorSubtask OWNER = new OperatorSubtask("Count", 0);

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private Path root;
  private CheckpointStorage storage;

  @Before
  public void writeACheckpointAndASavepoint() throws Exception {
    root = temp.newFolder("checkpoints").toPath();
    storage = CheckpointStorage.open(root.toUri(), "job-1", Map.of());
    Path snapshot = temp.newFolder("snapshot").toPath();
    Files.writeString(snapshot.resolve("000007.sst"), "sorted strings");
    Files.writeString(snapshot.resolve("MANIFEST-000001"), "manifest");
    UploadResult uploaded = storage.uploader(OWNER).upload(3, snapshot, StateFormat.ROCKSDB_SNAPSHOT);
    storage.complete(
        CheckpointMetadata.newBuilder()
            .setCheckpointId(3)
            .setKind(CheckpointKind.CHECKPOINT)
            .setMaxParallelism(128)
            .addSubtasks(
                SubtaskState.newBuilder()
                    .setOperatorId(OWNER.operatorId())
                    .setKeyedState(uploaded.handle()))
            .build());
    storage.savepoint(3);
  }

  @After
  public void closeStorage() throws Exception {
    storage.close();
  }

  private URI uri(String relative) {
    return root.resolve(relative).toUri();
  }

  @Test
  public void opensACheckpointByItsDirectoryAndNamesItsJobDirectory() throws Exception {
    try (RestoreSource source = RestoreSource.open(uri("job-1/chk-3"), Map.of(), Verification.CHECKSUMS)) {
      assertThat(source.checkpoint().id(), equalTo(3L));
      assertThat(source.checkpoint().metadata().getKind(), equalTo(CheckpointKind.CHECKPOINT));
      assertThat(source.checkpoint().metadata().getJobId(), equalTo("job-1"));
      assertThat(source.jobDirectory(), equalTo(storage.jobDirectory().toString()));
    }
  }

  @Test
  public void opensASavepointAlsoWithATrailingSlash() throws Exception {
    URI withSlash = URI.create(uri("job-1/savepoint-3") + "/");
    try (RestoreSource source = RestoreSource.open(withSlash, Map.of(), Verification.SIZES)) {
      assertThat(source.checkpoint().metadata().getKind(), equalTo(CheckpointKind.SAVEPOINT));
      assertThat(source.checkpoint().metadata().getSubtasks(0).getKeyedState().getFiles(0).getPath(),
          containsString("savepoint-3/"));
    }
  }

  @Test
  public void aMissingCheckpointIsRefusedNamingItsDirectory() {
    FileNotFoundException e =
        assertThrows(
            FileNotFoundException.class,
            () -> RestoreSource.open(uri("job-1/chk-4"), Map.of(), Verification.SIZES));
    assertThat(e.getMessage(), containsString("job-1/chk-4"));
  }

  @Test
  public void aCheckpointThatNeverCompletedIsRefused() throws Exception {
    Path snapshot = temp.newFolder("later").toPath();
    Files.writeString(snapshot.resolve("MANIFEST-000002"), "manifest");
    storage.uploader(OWNER).upload(5, snapshot, StateFormat.ROCKSDB_SNAPSHOT);

    CorruptCheckpointException e =
        assertThrows(
            CorruptCheckpointException.class,
            () -> RestoreSource.open(uri("job-1/chk-5"), Map.of(), Verification.SIZES));
    assertThat(e.getMessage(), allOf(containsString("chk-5"), containsString("never completed")));
  }

  @Test
  public void aCheckpointWithAMissingFileIsRefusedNamingTheFile() throws Exception {
    try (var files = Files.walk(root.resolve("job-1/shared"))) {
      Path sst = files.filter(p -> p.toString().endsWith(".sst")).findFirst().orElseThrow();
      Files.delete(sst);
    }

    CorruptCheckpointException e =
        assertThrows(
            CorruptCheckpointException.class,
            () -> RestoreSource.open(uri("job-1/chk-3"), Map.of(), Verification.SIZES));
    assertThat(e.getMessage(), allOf(containsString("000007.sst"), containsString("missing")));
  }

  @Test
  public void aChangedFileIsFoundWhenChecksumsAreVerified() throws Exception {
    Path sst;
    try (var files = Files.walk(root.resolve("job-1/shared"))) {
      sst = files.filter(p -> p.toString().endsWith(".sst")).findFirst().orElseThrow();
    }
    // Same size, other bytes: only the checksum tells.
    Files.writeString(sst, "sorted strinGs", StandardCharsets.UTF_8);

    RestoreSource.open(uri("job-1/chk-3"), Map.of(), Verification.SIZES).close();
    CorruptCheckpointException e =
        assertThrows(
            CorruptCheckpointException.class,
            () -> RestoreSource.open(uri("job-1/chk-3"), Map.of(), Verification.CHECKSUMS));
    assertThat(e.getMessage(), containsString("checksum mismatch"));
  }

  @Test
  public void aUriNamingNoCheckpointDirectoryIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RestoreSource.open(uri("job-1"), Map.of(), Verification.SIZES));
    assertThat(e.getMessage(), containsString("chk-<n> or savepoint-<n>"));
  }

  @Test
  public void theJobDirectoryOpensTheSameStorageAgain() throws Exception {
    try (CheckpointStorage again =
        CheckpointStorage.openJobDirectory(storage.jobDirectory(), Map.of())) {
      assertThat(again.jobDirectory(), equalTo(storage.jobDirectory()));
      assertThat(again.readCheckpoint(3).id(), equalTo(3L));
    }
  }
}
