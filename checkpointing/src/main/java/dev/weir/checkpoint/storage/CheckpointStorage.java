package dev.weir.checkpoint.storage;

import dev.weir.checkpoint.proto.CheckpointKind;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.StateFile;
import dev.weir.checkpoint.proto.StateHandle;
import dev.weir.checkpoint.proto.SubtaskState;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints of one job in a directory of any Hadoop {@code FileSystem}; the URI's scheme
 * picks the client ({@code file://}, {@code hdfs://}, {@code s3a://}).
 *
 * <p>Subtasks upload their state through {@link #uploader}; the coordinator, once every subtask
 * acknowledged, calls {@link #complete}, which writes {@code chk-<n>/_metadata} last. A restore
 * starts from {@link #latestValid} and {@link #download}s each subtask's files.
 *
 * <p>Thread-safe: Hadoop file systems are, and this class keeps no mutable state of its own.
 */
public final class CheckpointStorage implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStorage.class);

  private final FileSystem opened;
  /** {@code opened}, or for {@code file://} its raw form: no {@code .crc} files beside ours. */
  private final FileSystem fs;

  private final CheckpointLayout layout;

  private CheckpointStorage(FileSystem opened, Path jobDirectory) {
    this.opened = opened;
    this.fs = opened instanceof LocalFileSystem local ? local.getRawFileSystem() : opened;
    this.layout = new CheckpointLayout(fs.makeQualified(jobDirectory));
  }

  /**
   * Opens the storage of job {@code jobId} under {@code directory}.
   *
   * @param hadoopProperties Hadoop configuration, e.g. {@code fs.s3a.endpoint}; added to the
   *     defaults and any {@code core-site.xml} on the classpath
   */
  public static CheckpointStorage open(
      URI directory, String jobId, Map<String, String> hadoopProperties) throws IOException {
    Configuration conf = new Configuration();
    hadoopProperties.forEach(conf::set);
    return open(directory, jobId, conf);
  }

  public static CheckpointStorage open(URI directory, String jobId, Configuration conf)
      throws IOException {
    if (jobId.isEmpty() || !jobId.matches("[A-Za-z0-9._-]+") || jobId.startsWith(".")) {
      throw new IllegalArgumentException(
          "Job id '" + jobId + "' is not usable as a directory name (letters, digits, . _ -)");
    }
    // A new instance, not the JVM-wide cached one, so close() here closes nobody else's.
    FileSystem fs = FileSystem.newInstance(directory, conf);
    return new CheckpointStorage(fs, new Path(new Path(directory), jobId));
  }

  /**
   * Opens the storage whose job directory is {@code jobDirectory} (its last path component is the
   * job id), as {@link #jobDirectory()} gave it; e.g. a worker given a restore's {@code
   * job_directory}.
   */
  public static CheckpointStorage openJobDirectory(
      URI jobDirectory, Map<String, String> hadoopProperties) throws IOException {
    String uri = jobDirectory.toString();
    while (uri.endsWith("/") && uri.length() > 1) {
      uri = uri.substring(0, uri.length() - 1);
    }
    Path job = new Path(URI.create(uri));
    if (job.getParent() == null || job.getName().isEmpty()) {
      throw new IllegalArgumentException(
          "No job directory (<dir>/<job id>) in " + jobDirectory);
    }
    return open(job.getParent().toUri(), job.getName(), hadoopProperties);
  }

  /** The job's directory, e.g. {@code hdfs://nn:8020/checkpoints/job-1}. */
  public URI jobDirectory() {
    return layout.jobDirectory().toUri();
  }

  FileSystem fileSystem() {
    return fs;
  }

  CheckpointLayout layout() {
    return layout;
  }

  /**
   * An uploader for the snapshots of one backend that transfers one file at a time, on the
   * thread that calls {@link SnapshotUploader#upload}; see {@link SnapshotUploader}.
   */
  public SnapshotUploader uploader(OperatorSubtask owner) {
    return new SnapshotUploader(this, owner, Runnable::run);
  }

  /**
   * An uploader whose file transfers run on {@code transfers} (e.g. a worker-wide pool), several
   * at once; {@link SnapshotUploader#upload} still returns only when all are done.
   */
  public SnapshotUploader uploader(OperatorSubtask owner, Executor transfers) {
    return new SnapshotUploader(this, owner, transfers);
  }

  /**
   * Completes a checkpoint: checks that every file it names exists with its recorded size, then
   * writes {@code chk-<n>/_metadata} atomically. Only then does the checkpoint exist.
   *
   * @param metadata everything but {@code format_version}, which is set here; {@code job_id} may
   *     be left empty and is then set to this storage's job
   * @throws CorruptCheckpointException if a named file is missing or has another size (e.g.
   *     removed by a retention pass that ran while the subtask uploaded); the caller then discards
   *     the checkpoint
   */
  public CompletedCheckpoint complete(CheckpointMetadata metadata) throws IOException {
    if (metadata.getKind() != CheckpointKind.CHECKPOINT) {
      throw new IllegalArgumentException(
          "complete() writes checkpoints; savepoints come from savepoint(): " + metadata.getKind());
    }
    CheckpointMetadata stamped = stamp(metadata);
    Path directory = layout.checkpointDirectory(stamped.getCheckpointId());
    verifyFiles(stamped, directory.toString(), Verification.SIZES);
    writeMetadata(directory, stamped);
    return new CompletedCheckpoint(stamped.getCheckpointId(), directory.toString(), stamped);
  }

  private CheckpointMetadata stamp(CheckpointMetadata metadata) {
    String job = layout.jobDirectory().getName();
    if (!metadata.getJobId().isEmpty() && !metadata.getJobId().equals(job)) {
      throw new IllegalArgumentException(
          "Metadata of job " + metadata.getJobId() + " given to the storage of job " + job);
    }
    if (metadata.getCheckpointId() < 0) {
      throw new IllegalArgumentException("Checkpoint id " + metadata.getCheckpointId() + " < 0");
    }
    return metadata.toBuilder()
        .setFormatVersion(MetadataFile.FORMAT_VERSION)
        .setJobId(job)
        .build();
  }

  /**
   * Writes {@code _metadata} so that a reader sees all of it or nothing: on S3 a single PUT of the
   * final name is atomic (the object appears when the upload completes) while a rename is a copy;
   * elsewhere a file under a temporary name is renamed, which HDFS and local disks do atomically.
   */
  private void writeMetadata(Path directory, CheckpointMetadata metadata) throws IOException {
    Path target = new Path(directory, CheckpointLayout.METADATA);
    byte[] bytes = MetadataFile.encode(metadata);
    if (fs.exists(target)) {
      throw new IOException("Checkpoint metadata already exists: " + target);
    }
    if (isObjectStore()) {
      try (OutputStream out = fs.create(target, false)) {
        out.write(bytes);
      }
      return;
    }
    Path temporary = new Path(directory, "." + CheckpointLayout.METADATA + "." + UUID.randomUUID());
    try (OutputStream out = fs.create(temporary, false)) {
      out.write(bytes);
    }
    if (!fs.rename(temporary, target)) {
      fs.delete(temporary, false);
      throw new IOException("Cannot rename " + temporary + " to " + target);
    }
  }

  private boolean isObjectStore() {
    String scheme = fs.getUri().getScheme();
    return "s3a".equals(scheme) || "s3".equals(scheme) || "gs".equals(scheme);
  }

  /** Reads and validates checkpoint {@code id}'s metadata; its files are not checked. */
  public CompletedCheckpoint readCheckpoint(long id) throws IOException {
    return readMetadata(layout.checkpointDirectory(id), id, CheckpointKind.CHECKPOINT);
  }

  /** Reads and validates savepoint {@code id}'s metadata; its files are not checked. */
  public CompletedCheckpoint readSavepoint(long id) throws IOException {
    return readMetadata(layout.savepointDirectory(id), id, CheckpointKind.SAVEPOINT);
  }

  /**
   * Reads and validates the metadata of the checkpoint or savepoint in the job directory's
   * {@code directoryName} ({@code chk-<n>} or {@code savepoint-<n>}); its files are not checked.
   *
   * @throws IllegalArgumentException if the name is neither
   * @throws FileNotFoundException if there is no such directory
   * @throws CorruptCheckpointException if its metadata is missing (never completed) or bad
   */
  public CompletedCheckpoint readDirectory(String directoryName) throws IOException {
    OptionalLong checkpoint = CheckpointLayout.checkpointId(directoryName);
    OptionalLong savepoint = CheckpointLayout.savepointId(directoryName);
    if (checkpoint.isEmpty() && savepoint.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + directoryName + "' names no checkpoint or savepoint directory (chk-<n> or"
              + " savepoint-<n>)");
    }
    Path directory =
        checkpoint.isPresent()
            ? layout.checkpointDirectory(checkpoint.getAsLong())
            : layout.savepointDirectory(savepoint.getAsLong());
    if (!fs.exists(directory)) {
      throw new FileNotFoundException("No checkpoint directory " + directory);
    }
    return checkpoint.isPresent()
        ? readCheckpoint(checkpoint.getAsLong())
        : readSavepoint(savepoint.getAsLong());
  }

  private CompletedCheckpoint readMetadata(Path directory, long id, CheckpointKind kind)
      throws IOException {
    Path file = new Path(directory, CheckpointLayout.METADATA);
    String location = file.toString();
    byte[] bytes;
    try (FSDataInputStream in = fs.open(file)) {
      long length = fs.getFileStatus(file).getLen();
      if (length > MetadataFile.MAX_PAYLOAD_BYTES + (long) MetadataFile.HEADER_BYTES) {
        throw new CorruptCheckpointException(location, "metadata of " + length + " bytes");
      }
      bytes = in.readAllBytes();
    } catch (FileNotFoundException e) {
      throw new CorruptCheckpointException(location, "no metadata (never completed)", e);
    }
    CheckpointMetadata metadata = MetadataFile.decode(bytes, location);
    String job = layout.jobDirectory().getName();
    if (metadata.getCheckpointId() != id
        || metadata.getKind() != kind
        || !metadata.getJobId().equals(job)) {
      throw new CorruptCheckpointException(
          location,
          "metadata describes " + metadata.getKind() + " " + metadata.getCheckpointId()
              + " of job " + metadata.getJobId() + ", expected " + kind + " " + id
              + " of job " + job);
    }
    return new CompletedCheckpoint(id, directory.toString(), metadata);
  }

  /**
   * Checks the files a checkpoint names.
   *
   * @throws CorruptCheckpointException naming the first bad file and what is wrong with it
   */
  public void verify(CompletedCheckpoint checkpoint, Verification verification)
      throws IOException {
    verifyFiles(checkpoint.metadata(), checkpoint.location(), verification);
  }

  private void verifyFiles(
      CheckpointMetadata metadata, String location, Verification verification)
      throws IOException {
    for (SubtaskState subtask : metadata.getSubtasksList()) {
      for (StateFile file : subtask.getKeyedState().getFilesList()) {
        Path path = layout.resolve(file.getPath());
        FileStatus status;
        try {
          status = fs.getFileStatus(path);
        } catch (FileNotFoundException e) {
          throw new CorruptCheckpointException(
              path.toString(), "missing file, named by " + location, e);
        }
        if (status.getLen() != file.getSizeBytes()) {
          throw new CorruptCheckpointException(
              path.toString(),
              "size mismatch: metadata says " + file.getSizeBytes() + " bytes, file has "
                  + status.getLen());
        }
        if (verification == Verification.CHECKSUMS) {
          try (InputStream in = fs.open(path)) {
            checkCopy(path, file, CopiedBytes.copy(in, null));
          }
        }
      }
    }
  }

  private static void checkCopy(Path path, StateFile file, CopiedBytes copied)
      throws CorruptCheckpointException {
    if (copied.size() != file.getSizeBytes()) {
      throw new CorruptCheckpointException(
          path.toString(),
          "size mismatch: metadata says " + file.getSizeBytes() + " bytes, read "
              + copied.size());
    }
    if (copied.crc32c() != file.getCrc32C()) {
      throw new CorruptCheckpointException(
          path.toString(),
          "checksum mismatch: metadata says " + CopiedBytes.hex(file.getCrc32C()) + ", file has "
              + CopiedBytes.hex(copied.crc32c()));
    }
  }

  /**
   * The newest checkpoint whose metadata reads back intact and whose files pass {@code
   * verification}. Each newer one is skipped with a logged reason: one that never completed (no
   * metadata), corrupt metadata, a missing or truncated file.
   */
  public LatestValidCheckpoint latestValid(Verification verification) throws IOException {
    List<String> skipped = new ArrayList<>();
    for (long id : newestFirst(checkpointIds())) {
      try {
        CompletedCheckpoint checkpoint = readCheckpoint(id);
        verify(checkpoint, verification);
        return new LatestValidCheckpoint(Optional.of(checkpoint), skipped);
      } catch (CorruptCheckpointException e) {
        String reason = "checkpoint " + id + " skipped: " + e.getMessage();
        LOG.warn("{}", reason);
        skipped.add(reason);
      }
    }
    return new LatestValidCheckpoint(Optional.empty(), skipped);
  }

  /** Ids of the {@code chk-<n>} directories present, complete or not, oldest first. */
  public List<Long> checkpointIds() throws IOException {
    return directoryIds(false);
  }

  /** Ids of the savepoints present, complete or not, oldest first. */
  public List<Long> savepointIds() throws IOException {
    return directoryIds(true);
  }

  private List<Long> directoryIds(boolean savepoints) throws IOException {
    List<Long> ids = new ArrayList<>();
    for (FileStatus status : listOrEmpty(layout.jobDirectory())) {
      String name = status.getPath().getName();
      OptionalLong id =
          savepoints
              ? CheckpointLayout.savepointId(name)
              : CheckpointLayout.checkpointId(name);
      if (status.isDirectory() && id.isPresent()) {
        ids.add(id.getAsLong());
      }
    }
    ids.sort(Comparator.naturalOrder());
    return ids;
  }

  static List<Long> newestFirst(List<Long> ids) {
    List<Long> sorted = new ArrayList<>(ids);
    sorted.sort(Comparator.reverseOrder());
    return sorted;
  }

  FileStatus[] listOrEmpty(Path directory) throws IOException {
    try {
      return fs.listStatus(directory);
    } catch (FileNotFoundException e) {
      return new FileStatus[0];
    }
  }

  /**
   * Downloads the files of {@code handle} into {@code localDirectory} (created if missing) under
   * their local names, checking each one's size and CRC32C; the directory can then be given to a
   * backend's restore. From {@code file://} on the same file system, SST files are hard-linked
   * rather than copied (still read once for their checksum).
   *
   * @throws CorruptCheckpointException naming the file that is missing or differs
   */
  public void download(StateHandle handle, java.nio.file.Path localDirectory) throws IOException {
    Files.createDirectories(localDirectory);
    for (StateFile file : handle.getFilesList()) {
      Path path = layout.resolve(file.getPath());
      String name = file.getLocalName();
      if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
        throw new CorruptCheckpointException(path.toString(), "bad local name '" + name + "'");
      }
      java.nio.file.Path local = localDirectory.resolve(name);
      boolean linked = linkIfLocal(path, name, local);
      CopiedBytes copied;
      try (InputStream in = fs.open(path);
          OutputStream out = linked ? null : Files.newOutputStream(local)) {
        // A linked file is only read, for its checksum: reading is what a copy costs at least.
        copied = CopiedBytes.copy(in, out);
      } catch (FileNotFoundException e) {
        throw new CorruptCheckpointException(path.toString(), "missing file", e);
      }
      checkCopy(path, file, copied);
    }
  }

  /**
   * On {@code file://}, makes {@code local} a hard link to the stored file if it is one RocksDB
   * never changes (an SST or blob file: a database opened on the restored files only reads and
   * deletes them, so the checkpoint's file stays as it was); true if it did. Otherwise, or on
   * another file system than the local directory's, the file is copied.
   */
  private boolean linkIfLocal(Path stored, String name, java.nio.file.Path local) {
    if (!"file".equals(stored.toUri().getScheme())
        || !(name.endsWith(".sst") || name.endsWith(".blob"))) {
      return false;
    }
    try {
      Files.createLink(local, java.nio.file.Paths.get(stored.toUri()));
      return true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // Another file system (no links across them), or a missing file: copying will tell.
      return false;
    }
  }

  /**
   * Keeps the newest {@code retained} completed checkpoints and removes the rest: older {@code
   * chk-<n>} directories (completed, or abandoned without metadata), and the shared files that no
   * retained checkpoint references. Savepoints are never touched.
   *
   * <p>Files of checkpoints newer than the newest completed one are left alone: they are still
   * being uploaded. Checkpoints older than it that are still in flight count as abandoned (a
   * newer checkpoint subsumes them), so the coordinator calls this after completing a checkpoint
   * and aborting the older ones.
   */
  public RetentionResult retain(int retained) throws IOException {
    return new Retention(this).retain(retained);
  }

  /**
   * Removes a checkpoint that failed or timed out: its {@code chk-<n>} directory and the shared
   * files it uploaded (no other checkpoint references them: uploaders reuse files of completed
   * checkpoints only).
   *
   * @throws IllegalStateException if the checkpoint completed: later ones may reference its files,
   *     so only {@link #retain} removes it
   */
  public void discard(long id) throws IOException {
    new Retention(this).discard(id);
  }

  /**
   * An id larger than that of every checkpoint, savepoint and shared directory present, complete
   * or not. A restarted coordinator takes its ids from here before {@link #discardAbandoned}, so
   * an id is never used twice: a task of the failed attempt that still uploads cannot mix its
   * files into a new checkpoint's.
   */
  public long nextCheckpointId() throws IOException {
    return new Retention(this).nextCheckpointId();
  }

  /**
   * Discards every checkpoint newer than the newest completed one that never completed (no
   * {@code _metadata}): what a failed attempt left behind. Call at recovery, when no checkpoint is
   * in flight. Older incomplete ones are left to {@link #retain}.
   *
   * @return the discarded ids, oldest first
   */
  public List<Long> discardAbandoned() throws IOException {
    return new Retention(this).discardAbandoned();
  }

  /**
   * Copies completed checkpoint {@code checkpointId} into {@code savepoint-<n>/}, every file it
   * references included, so the savepoint stands alone: retention never removes it and no other
   * checkpoint's removal affects it. Each file's checksum is checked on the way.
   */
  public CompletedCheckpoint savepoint(long checkpointId) throws IOException {
    CheckpointMetadata source = readCheckpoint(checkpointId).metadata();
    Path directory = layout.savepointDirectory(checkpointId);
    CheckpointMetadata.Builder savepoint =
        source.toBuilder().setKind(CheckpointKind.SAVEPOINT).clearSubtasks();
    for (SubtaskState subtask : source.getSubtasksList()) {
      OperatorSubtask owner =
          new OperatorSubtask(subtask.getOperatorId(), subtask.getSubtaskIndex());
      StateHandle.Builder handle = subtask.getKeyedState().toBuilder().clearFiles();
      for (StateFile file : subtask.getKeyedState().getFilesList()) {
        String relative =
            CheckpointLayout.savepointFile(checkpointId, owner, file.getLocalName());
        Path from = layout.resolve(file.getPath());
        CopiedBytes copied;
        try (InputStream in = fs.open(from);
            OutputStream out = fs.create(layout.resolve(relative), true)) {
          copied = CopiedBytes.copy(in, out);
        }
        checkCopy(from, file, copied);
        handle.addFiles(
            file.toBuilder().setPath(relative).setUploadedByCheckpoint(checkpointId).build());
      }
      SubtaskState.Builder copy = subtask.toBuilder();
      if (subtask.hasKeyedState()) {
        copy.setKeyedState(handle);
      }
      savepoint.addSubtasks(copy);
    }
    CheckpointMetadata written = savepoint.build();
    writeMetadata(directory, written);
    return new CompletedCheckpoint(checkpointId, directory.toString(), written);
  }

  @Override
  public void close() throws IOException {
    opened.close();
  }
}
