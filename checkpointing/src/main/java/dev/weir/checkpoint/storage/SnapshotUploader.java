package dev.weir.checkpoint.storage;

import dev.weir.checkpoint.proto.StateFile;
import dev.weir.checkpoint.proto.StateFormat;
import dev.weir.checkpoint.proto.StateHandle;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
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
 * <p>Files are transferred on the executor given to {@link CheckpointStorage#uploader(
 * OperatorSubtask, Executor)}: on an object store each file is a request with its own latency, so
 * a pool uploads a snapshot of many files several times faster than one thread.
 *
 * <p>Thread-safety: {@link #upload} runs on an asynchronous snapshot thread while {@link
 * #checkpointComplete} and {@link #checkpointAborted} may be called from the task's thread.
 */
public final class SnapshotUploader {
  private final CheckpointStorage storage;
  private final OperatorSubtask owner;

  /** Runs the file transfers of one upload; several threads upload files in parallel. */
  private final Executor transfers;

  /** Shared files of the newest completed checkpoint, by {@link #reuseKey}. */
  private volatile Map<String, StateFile> reusable = Map.of();

  private volatile long newestCompleted = -1;

  /** Shared files of uploaded checkpoints not yet known to be complete or aborted. */
  private final Map<Long, List<StateFile>> pending = new ConcurrentHashMap<>();

  SnapshotUploader(CheckpointStorage storage, OperatorSubtask owner, Executor transfers) {
    this.storage = storage;
    this.owner = owner;
    this.transfers = transfers;
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
    List<CompletableFuture<StateFile>> stored = new ArrayList<>();
    int reusedFiles = 0;
    for (Path file : files) {
      String name = file.getFileName().toString();
      boolean immutable = isImmutable(name);
      StateFile earlier = immutable ? reuse.get(reuseKey(name, Files.size(file))) : null;
      if (earlier != null) {
        reusedFiles++;
        stored.add(CompletableFuture.completedFuture(earlier));
      } else {
        String relative =
            immutable
                ? CheckpointLayout.sharedFile(checkpointId, owner, name)
                : CheckpointLayout.checkpointFile(checkpointId, owner, name);
        stored.add(
            CompletableFuture.supplyAsync(() -> put(file, relative, checkpointId), transfers));
      }
    }
    StateHandle.Builder handle = StateHandle.newBuilder().setFormat(format);
    List<StateFile> shared = new ArrayList<>();
    int uploadedFiles = 0;
    long uploadedBytes = 0;
    for (StateFile file : awaitAll(stored)) {
      if (file.getUploadedByCheckpoint() == checkpointId) {
        uploadedFiles++;
        uploadedBytes += file.getSizeBytes();
      }
      if (isImmutable(file.getLocalName())) {
        shared.add(file);
      }
      handle.addFiles(file);
    }
    pending.put(checkpointId, shared);
    return new UploadResult(handle.build(), uploadedFiles, uploadedBytes, reusedFiles);
  }

  /**
   * Waits for every transfer, also after one failed, so that none is still writing when the
   * caller reacts to the failure (e.g. by discarding the checkpoint); then throws the first
   * failure.
   */
  private static List<StateFile> awaitAll(List<CompletableFuture<StateFile>> transfers)
      throws IOException {
    List<StateFile> done = new ArrayList<>();
    Throwable failure = null;
    for (CompletableFuture<StateFile> transfer : transfers) {
      try {
        done.add(transfer.join());
      } catch (CompletionException | CancellationException e) {
        Throwable cause = e.getCause() instanceof UncheckedIOException io ? io.getCause() : e;
        if (failure == null) {
          failure = cause;
        } else {
          failure.addSuppressed(cause);
        }
      }
    }
    if (failure instanceof IOException io) {
      throw io;
    }
    if (failure != null) {
      throw new IOException("Upload failed", failure);
    }
    return done;
  }

  private StateFile put(Path file, String relative, long checkpointId) {
    CopiedBytes copied;
    try (InputStream in = Files.newInputStream(file);
        OutputStream out = storage.fileSystem().create(storage.layout().resolve(relative), true)) {
      copied = CopiedBytes.copy(in, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

  /**
   * References nothing uploaded before: the next upload stores every file again. For when a
   * checkpoint failed because a file it referenced was gone or differed; referencing the same
   * file again would fail every later checkpoint alike.
   */
  public void forgetUploadedFiles() {
    reusable = Map.of();
  }

  /** SST and blob files are written once and never changed, so later checkpoints can share them. */
  static boolean isImmutable(String localName) {
    return localName.endsWith(".sst") || localName.endsWith(".blob");
  }

  private static String reuseKey(String localName, long size) {
    return localName + "/" + size;
  }
}
