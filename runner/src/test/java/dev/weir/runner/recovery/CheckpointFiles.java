package dev.weir.runner.recovery;

import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.StateFile;
import dev.weir.checkpoint.proto.SubtaskState;
import dev.weir.checkpoint.storage.CheckpointStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files of one job's checkpoints in a local {@code --checkpointDir}, found through the
 * checkpoints' own metadata, for tests that damage them.
 */
final class CheckpointFiles {
  private final Path root;
  private final String job;

  private CheckpointFiles(Path root, String job) {
    this.root = root;
    this.job = job;
  }

  /** The only job directory under {@code root}. */
  static CheckpointFiles ofOnlyJob(Path root) throws IOException {
    List<Path> jobs;
    try (Stream<Path> listed = Files.list(root)) {
      jobs = listed.filter(Files::isDirectory).toList();
    }
    if (jobs.size() != 1) {
      throw new IllegalStateException("Expected one job directory in " + root + ": " + jobs);
    }
    return new CheckpointFiles(root, jobs.get(0).getFileName().toString());
  }

  Path jobDirectory() {
    return root.resolve(job);
  }

  Path checkpointDirectory(long id) {
    return jobDirectory().resolve("chk-" + id);
  }

  Path metadataFile(long id) {
    return checkpointDirectory(id).resolve("_metadata");
  }

  CheckpointMetadata metadata(long id) throws IOException {
    try (CheckpointStorage storage = CheckpointStorage.open(root.toUri(), job, Map.of())) {
      return storage.readCheckpoint(id).metadata();
    }
  }

  /**
   * The local paths of the keyed-state files checkpoint {@code id} uploaded itself (no older
   * checkpoint references them, so damaging one leaves the older checkpoints intact).
   */
  List<Path> filesUploadedBy(long id) throws IOException {
    List<Path> files = new ArrayList<>();
    for (SubtaskState subtask : metadata(id).getSubtasksList()) {
      for (StateFile file : subtask.getKeyedState().getFilesList()) {
        if (file.getUploadedByCheckpoint() == id && file.getSizeBytes() > 1) {
          files.add(jobDirectory().resolve(file.getPath()));
        }
      }
    }
    return files;
  }

  /** Cuts {@code file} to half its length. */
  static void truncate(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
  }

  /** Inverts every bit of the byte in the middle of {@code file}; its size stays. */
  static void flipByte(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= (byte) 0xff;
    Files.write(file, bytes);
  }
}
