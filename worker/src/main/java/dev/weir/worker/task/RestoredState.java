package dev.weir.worker.task;

import dev.weir.checkpoint.proto.NamedBytes;
import dev.weir.checkpoint.proto.OperatorRestore;
import dev.weir.checkpoint.proto.StateFile;
import dev.weir.checkpoint.proto.StateHandle;
import dev.weir.checkpoint.proto.SubtaskRestore;
import dev.weir.checkpoint.storage.CheckpointStorage;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state a subtask starts from, by operator: its keyed state backends are built from the
 * checkpoint's files, downloaded to local directories first, and its named entries are handed to
 * the operator as they are. Empty on a fresh start.
 */
final class RestoredState {
  private static final Logger LOG = LoggerFactory.getLogger(RestoredState.class);
  private final @Nullable SubtaskRestore restore;
  private final Map<String, OperatorRestore> byOperator = new HashMap<>();

  RestoredState(@Nullable SubtaskRestore restore) {
    this.restore = restore;
    if (restore != null) {
      for (OperatorRestore op : restore.getOperatorsList()) {
        if (byOperator.put(op.getOperatorId(), op) != null) {
          throw new IllegalArgumentException(
              "The restore names operator " + op.getOperatorId() + " twice");
        }
      }
    }
  }

  static RestoredState none() {
    return new RestoredState(null);
  }

  /** The operator's named entries of all its old subtasks; empty if it has none. */
  Map<String, byte[]> entries(String operatorName) {
    OperatorRestore op = byOperator.get(operatorName);
    if (op == null) {
      return Map.of();
    }
    Map<String, byte[]> entries = new LinkedHashMap<>();
    for (NamedBytes entry : op.getEntriesList()) {
      if (entries.put(entry.getName(), entry.getValue().toByteArray()) != null) {
        throw new IllegalArgumentException(
            "Entry '" + entry.getName() + "' of " + operatorName + " is restored twice");
      }
    }
    return Collections.unmodifiableMap(entries);
  }

  /**
   * The operator's keyed state backend: restored from the keyed state of the old subtasks if the
   * checkpoint has any for it, otherwise new and empty.
   */
  KeyedStateBackend backend(
      StateBackendFactory backends,
      TaskId task,
      String operatorName,
      KeyGroupRange keyGroups,
      Coder<? extends BoundedWindow> windowCoder) {
    OperatorRestore op = byOperator.get(operatorName);
    if (op == null || op.getKeyedStateCount() == 0) {
      return backends.create(task, operatorName, keyGroups, windowCoder);
    }
    if (op.hasKeyGroups()
        && (op.getKeyGroups().getStart() != keyGroups.start()
            || op.getKeyGroups().getEnd() != keyGroups.end())) {
      // Restoring other key groups than the subtask owns would lose or duplicate state.
      throw new IllegalStateException(
          "The restore of " + operatorName + " in " + task + " is for key groups ["
              + op.getKeyGroups().getStart() + ", " + op.getKeyGroups().getEnd()
              + "), the subtask owns " + keyGroups);
    }
    Path scratch = null;
    try {
      long start = System.nanoTime();
      scratch = Files.createTempDirectory(backends.snapshotParent(), "weir-restore-");
      List<Path> snapshots = new ArrayList<>();
      long files = 0;
      long bytes = 0;
      try (CheckpointStorage storage = openJobDirectory(restore.getJobDirectory(), task)) {
        for (StateHandle handle : op.getKeyedStateList()) {
          Path local = scratch.resolve(Integer.toString(snapshots.size()));
          storage.download(handle, local);
          snapshots.add(local);
          for (StateFile file : handle.getFilesList()) {
            files++;
            bytes += file.getSizeBytes();
          }
        }
      }
      long downloaded = System.nanoTime();
      KeyedStateBackend backend =
          backends.restore(task, operatorName, keyGroups, windowCoder, snapshots);
      // Restore time is what a restart waits for; these lines give its parts.
      LOG.info(
          "Restored the keyed state of {} in {} from checkpoint {}: {} files, {} MiB, downloaded"
              + " in {} ms, opened in {} ms",
          operatorName,
          task,
          restore.getCheckpointId(),
          files,
          bytes >> 20,
          (downloaded - start) / 1_000_000,
          (System.nanoTime() - downloaded) / 1_000_000);
      return backend;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot restore the keyed state of " + operatorName + " in " + task + " from checkpoint "
              + restore.getCheckpointId() + " in " + restore.getJobDirectory(),
          e);
    } finally {
      if (scratch != null) {
        LocalFiles.deleteQuietly(scratch);
      }
    }
  }

  /** The storage whose job directory is {@code jobDirectory}, e.g. {@code file:/c/job-1}. */
  private static CheckpointStorage openJobDirectory(String jobDirectory, TaskId task)
      throws IOException {
    org.apache.hadoop.fs.Path job = new org.apache.hadoop.fs.Path(URI.create(jobDirectory));
    if (job.getParent() == null) {
      throw new IllegalArgumentException(
          "The restore of " + task + " names no job directory: '" + jobDirectory + "'");
    }
    return CheckpointStorage.open(job.getParent().toUri(), job.getName(), Map.of());
  }
}
