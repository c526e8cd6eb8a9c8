package dev.weir.checkpoint.restore;

import dev.weir.checkpoint.storage.CheckpointStorage;
import dev.weir.checkpoint.storage.CompletedCheckpoint;
import dev.weir.checkpoint.storage.Verification;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * The checkpoint or savepoint that {@code --restoreFrom} names, read and verified before the job
 * starts: its directory {@code .../<job>/chk-<n>} or {@code .../<job>/savepoint-<n>} lies in the
 * job directory its file paths are relative to, and that job's id is the directory's name. It may
 * be another job's: the new job keeps writing its own checkpoints under its own id.
 *
 * <p>Holds the storage open for downloads until {@link #close}.
 */
public final class RestoreSource implements AutoCloseable {
  private final CheckpointStorage storage;
  private final CompletedCheckpoint checkpoint;

  private RestoreSource(CheckpointStorage storage, CompletedCheckpoint checkpoint) {
    this.storage = storage;
    this.checkpoint = checkpoint;
  }

  /**
   * Opens the checkpoint at {@code directory}, reads its metadata and checks its files.
   *
   * @param hadoopProperties Hadoop configuration for the file system, e.g. {@code fs.s3a.endpoint}
   * @throws IllegalArgumentException if the URI names no {@code chk-<n>} or {@code savepoint-<n>}
   *     directory inside a job directory
   * @throws java.io.FileNotFoundException if there is no such directory
   * @throws dev.weir.checkpoint.storage.CorruptCheckpointException naming the bad file, if the
   *     metadata is missing (the checkpoint never completed) or bad, or a file it names is missing
   *     or differs
   */
  public static RestoreSource open(
      URI directory, Map<String, String> hadoopProperties, Verification verification)
      throws IOException {
    // java.nio's toUri() of a directory ends in '/', and Hadoop's Path keeps it (name "").
    String uri = directory.toString();
    while (uri.endsWith("/") && uri.length() > 1) {
      uri = uri.substring(0, uri.length() - 1);
    }
    Path path = new Path(URI.create(uri));
    Path job = path.getParent();
    if (job == null || job.getParent() == null || job.getName().isEmpty()) {
      throw new IllegalArgumentException(
          "--restoreFrom=" + directory + " names no checkpoint inside a job directory"
              + " (.../<job>/chk-<n> or .../<job>/savepoint-<n>)");
    }
    CheckpointStorage storage =
        CheckpointStorage.open(job.getParent().toUri(), job.getName(), hadoopProperties);
    try {
      CompletedCheckpoint checkpoint = storage.readDirectory(path.getName());
      storage.verify(checkpoint, verification);
      return new RestoreSource(storage, checkpoint);
    } catch (IOException | RuntimeException e) {
      storage.close();
      throw e;
    }
  }

  public CompletedCheckpoint checkpoint() {
    return checkpoint;
  }

  /** The URI the checkpoint's file paths are relative to; a restore's {@code job_directory}. */
  public String jobDirectory() {
    return storage.jobDirectory().toString();
  }

  /** The storage the checkpoint is in, for {@link CheckpointStorage#download}. */
  public CheckpointStorage storage() {
    return storage;
  }

  @Override
  public void close() throws IOException {
    storage.close();
  }
}
