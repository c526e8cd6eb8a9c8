package dev.weir.checkpoint.storage;

import dev.weir.checkpoint.proto.StateFile;
import dev.weir.checkpoint.proto.StateFormat;
import dev.weir.checkpoint.proto.StateHandle;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Uploads the local snapshots of one backend (one operator subtask's RocksDB instance)
 * incrementally: an immutable file that the last completed checkpoint already stored is referenced
 * again instead of uploaded.
 *
 * <p>Only files of <em>completed</em> checkpoints are reused ({@link #checkpointComplete}): a
 * checkpoint that fails is discarded with everything it uploaded, so nothing else may point at its
 * files. Reuse is by local file name and size, which identify an SST file within one RocksDB
 * instance (RocksDB never reuses a file number nor changes a written SST). That is why an uploader
 * belongs to one backend: a restored backend is a new database whose {@code 000012.sst} is another
 * file, and gets a new uploader. Shared files are stored under the uploading checkpoint's id and
 * the owner's directory, so the files of two databases never share a path.
 *
 * <p>Thread-safety: {@link #upload} runs on an asynchronous snapshot thread while {@link
 * #checkpointComplete} and {@link #checkpointAborted} may be called from the task's thread.
 */
public final class SnapshotUploader {
  private final CheckpointStorage storage;
  private final OperatorSubtask owner;

  /** Shared files of the newest completed checkpoint, by {@link #reuseKey}. */
  private volatile Map<String, StateFile> reusable = Map.of();

  private volatile long newestCompleted = -1;

  /** Shared files of uploaded checkpoints not yet known to be complete or aborted. */
  private final Map<Long, List<StateFile>> pending = new ConcurrentHashMap<>();

  SnapshotUploader(CheckpointStorage storage, OperatorSubtask owner) {
    this.storage = storage;
    this.owner = owner;
  }

  public OperatorSubtask owner() {
    return owner;
  }

  /**
   * Uploads the files of the local snapshot directory {@code snapshot} (e.g. made by {@code
   * RocksDbKeyedStateBackend.snapshot}) for checkpoint {@code checkpointId}. SST and blob files
   * go to {@code shared/}, unless the last completed checkpoint has them already; the others to
   * {@code chk-<n>/}. The local directory is left as it is.
   */
  public UploadResult upload(long checkpointId, Path snapshot, StateFormat format)
      throws IOException {
    List<Path> files;
    try (Stream<Path> entries = Files.list(snapshot)) {
      files = entries.filter(Files::isRegularFile).sorted().toList();
    }
    Map<String, StateFile> reuse = reusable;
    StateHandle.Builder handle = StateHandle.newBuilder().setFormat(format);
    List<StateFile> shared = new ArrayList<>();
    int uploadedFiles = 0;
    long uploadedBytes = 0;
    int reusedFiles = 0;
    for (Path file : files) {
      String name = file.getFileName().toString();
      long size = Files.size(file);
      boolean immutable = isImmutable(name);
      StateFile stored = immutable ? reuse.get(reuseKey(name, size)) : null;
      if (stored != null) {
        reusedFiles++;
      } else {
        String relative =
            immutable
                ? CheckpointLayout.sharedFile(checkpointId, owner, name)
                : CheckpointLayout.checkpointFile(checkpointId, owner, name);
        stored = put(file, relative, checkpointId);
        uploadedFiles++;
        uploadedBytes += stored.getSizeBytes();
      }
      if (immutable) {
        shared.add(stored);
      }
      handle.addFiles(stored);
    }
    pending.put(checkpointId, shared);
    return new UploadResult(handle.build(), uploadedFiles, uploadedBytes, reusedFiles);
  }

  private StateFile put(Path file, String relative, long checkpointId) throws IOException {
    CopiedBytes copied;
    try (InputStream in = Files.newInputStream(file);
        OutputStream out = storage.fileSystem().create(storage.layout().resolve(relative), true)) {
      copied = CopiedBytes.copy(in, out);
    }
    return StateFile.newBuilder()
        .setPath(relative)
        .setLocalName(file.getFileName().toString())
        .setSizeBytes(copied.size())
        .setCrc32C(copied.crc32c())
        .setUploadedByCheckpoint(checkpointId)
        .build();
  }

  /**
   * Checkpoint {@code checkpointId} is complete (its metadata is written): later uploads may
   * reference the shared files it holds. Older pending checkpoints are forgotten.
   */
  public void checkpointComplete(long checkpointId) {
    List<StateFile> files = pending.get(checkpointId);
    if (files == null || checkpointId <= newestCompleted) {
      return;
    }
    Map<String, StateFile> next = new HashMap<>();
    for (StateFile file : files) {
      next.put(reuseKey(file.getLocalName(), file.getSizeBytes()), file);
    }
    reusable = Map.copyOf(next);
    newestCompleted = checkpointId;
    pending.keySet().removeIf(id -> id <= checkpointId);
  }

  /** Checkpoint {@code checkpointId} failed or timed out: its files are never reused. */
  public void checkpointAborted(long checkpointId) {
    pending.remove(checkpointId);
  }

  /** SST and blob files are written once and never changed, so later checkpoints can share them. */
  static boolean isImmutable(String localName) {
    return localName.endsWith(".sst") || localName.endsWith(".blob");
  }

  private static String reuseKey(String localName, long size) {
    return localName + "/" + size;
  }
}
