package dev.weir.checkpoint.storage;

import java.util.OptionalLong;
import org.apache.hadoop.fs.Path;

/**
 * Where the files of one job's checkpoints go, and the names of those places.
 *
 * <p>Paths stored in metadata are relative to the job's directory, so a file's name alone tells
 * which directory owns it: {@code shared/<n>/<owner>/<file>}, {@code chk-<n>/<owner>/<file>} or
 * {@code savepoint-<n>/<owner>/<file>}.
 */
final class CheckpointLayout {
  static final String METADATA = "_metadata";
  static final String SHARED = "shared";
  private static final String CHECKPOINT_PREFIX = "chk-";
  private static final String SAVEPOINT_PREFIX = "savepoint-";

  private final Path jobDirectory;

  CheckpointLayout(Path jobDirectory) {
    this.jobDirectory = jobDirectory;
  }

  Path jobDirectory() {
    return jobDirectory;
  }

  Path sharedDirectory() {
    return new Path(jobDirectory, SHARED);
  }

  /** The shared files that checkpoint {@code uploadedBy} uploaded. */
  Path sharedDirectory(long uploadedBy) {
    return new Path(sharedDirectory(), Long.toString(uploadedBy));
  }

  Path checkpointDirectory(long id) {
    return new Path(jobDirectory, checkpointDirectoryName(id));
  }

  Path savepointDirectory(long id) {
    return new Path(jobDirectory, SAVEPOINT_PREFIX + id);
  }

  static String checkpointDirectoryName(long id) {
    return CHECKPOINT_PREFIX + id;
  }

  static String sharedFile(long uploadedBy, OperatorSubtask owner, String localName) {
    return SHARED + "/" + uploadedBy + "/" + owner.directoryName() + "/" + localName;
  }

  static String checkpointFile(long id, OperatorSubtask owner, String localName) {
    return CHECKPOINT_PREFIX + id + "/" + owner.directoryName() + "/" + localName;
  }

  static String savepointFile(long id, OperatorSubtask owner, String localName) {
    return SAVEPOINT_PREFIX + id + "/" + owner.directoryName() + "/" + localName;
  }

  /**
   * The absolute path of a file named in metadata. Refuses names that could leave the job's
   * directory: metadata is read from storage, and storage is not trusted to be well-formed.
   */
  Path resolve(String relative) throws CorruptCheckpointException {
    if (relative.isEmpty()
        || relative.startsWith("/")
        || relative.contains("\\")
        || relative.contains(":")
        || ("/" + relative + "/").contains("/../")
        || ("/" + relative + "/").contains("/./")) {
      throw new CorruptCheckpointException(
          jobDirectory.toString(), "file path '" + relative + "' is not relative to the job");
    }
    return new Path(jobDirectory, relative);
  }

  /** The id of a {@code chk-<n>} directory name, or empty for any other name. */
  static OptionalLong checkpointId(String directoryName) {
    return idAfter(CHECKPOINT_PREFIX, directoryName);
  }

  static OptionalLong savepointId(String directoryName) {
    return idAfter(SAVEPOINT_PREFIX, directoryName);
  }

  /** The id of a {@code shared/<n>} directory name, or empty for any other name. */
  static OptionalLong sharedId(String directoryName) {
    return idAfter("", directoryName);
  }

  private static OptionalLong idAfter(String prefix, String name) {
    if (!name.startsWith(prefix) || name.length() == prefix.length()) {
      return OptionalLong.empty();
    }
    String digits = name.substring(prefix.length());
    if (!digits.chars().allMatch(c -> c >= '0' && c <= '9') || digits.length() > 18) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(digits));
  }
}
