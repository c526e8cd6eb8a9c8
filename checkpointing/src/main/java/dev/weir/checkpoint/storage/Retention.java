package dev.weir.checkpoint.storage;

import dev.weir.checkpoint.proto.StateFile;
import dev.weir.checkpoint.proto.SubtaskState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removing checkpoints: retention of the newest ones, discarding failed ones, and cleaning up
 * after a failed attempt. What may go is decided from the storage alone (directory names and
 * metadata), so a restarted coordinator needs no memory of earlier attempts. The contracts are on
 * {@link CheckpointStorage}'s methods of the same names.
 */
final class Retention {
  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

  private final CheckpointStorage storage;
  private final FileSystem fs;
  private final CheckpointLayout layout;

  Retention(CheckpointStorage storage) {
    this.storage = storage;
    this.fs = storage.fileSystem();
    this.layout = storage.layout();
  }

  RetentionResult retain(int retained) throws IOException {
    if (retained < 1) {
      throw new IllegalArgumentException("Must retain at least 1 checkpoint, not " + retained);
    }
    List<Long> ids = CheckpointStorage.newestFirst(storage.checkpointIds());
    List<CompletedCheckpoint> kept = new ArrayList<>();
    long newestCompleted = -1;
    List<Long> removable = new ArrayList<>();
    for (long id : ids) {
      Optional<CompletedCheckpoint> completed = completedOrEmpty(id);
      if (completed.isPresent() && newestCompleted < 0) {
        newestCompleted = id;
      }
      if (completed.isPresent() && kept.size() < retained) {
        kept.add(completed.get());
      } else if (newestCompleted >= 0 && id < newestCompleted) {
        removable.add(id);
      }
    }
    if (newestCompleted < 0) {
      return new RetentionResult(List.of(), 0);
    }
    for (long id : removable) {
      fs.delete(layout.checkpointDirectory(id), true);
      LOG.info("Removed checkpoint {} of {}", id, layout.jobDirectory());
    }
    Set<Path> referenced = new HashSet<>();
    for (CompletedCheckpoint checkpoint : kept) {
      for (SubtaskState subtask : checkpoint.metadata().getSubtasksList()) {
        for (StateFile file : subtask.getKeyedState().getFilesList()) {
          referenced.add(layout.resolve(file.getPath()));
        }
      }
    }
    int removedShared = 0;
    for (FileStatus uploader : storage.listOrEmpty(layout.sharedDirectory())) {
      OptionalLong uploadedBy = CheckpointLayout.sharedId(uploader.getPath().getName());
      if (uploadedBy.isEmpty() || uploadedBy.getAsLong() > newestCompleted) {
        continue;
      }
      boolean anyLeft = false;
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(uploader.getPath(), true);
      while (files.hasNext()) {
        Path file = files.next().getPath();
        if (referenced.contains(file)) {
          anyLeft = true;
        } else {
          fs.delete(file, false);
          removedShared++;
        }
      }
      if (!anyLeft) {
        fs.delete(uploader.getPath(), true);
      }
    }
    removable.sort(Comparator.naturalOrder());
    return new RetentionResult(removable, removedShared);
  }

  private Optional<CompletedCheckpoint> completedOrEmpty(long id) throws IOException {
    try {
      return Optional.of(storage.readCheckpoint(id));
    } catch (CorruptCheckpointException e) {
      return Optional.empty();
    }
  }

  void discard(long id) throws IOException {
    if (isComplete(id)) {
      throw new IllegalStateException(
          "Checkpoint " + id + " of " + layout.jobDirectory() + " completed; not discarding it");
    }
    fs.delete(layout.checkpointDirectory(id), true);
    fs.delete(layout.sharedDirectory(id), true);
    LOG.info("Discarded checkpoint {} of {}", id, layout.jobDirectory());
  }

  long nextCheckpointId() throws IOException {
    long max = 0;
    for (long id : storage.checkpointIds()) {
      max = Math.max(max, id);
    }
    for (long id : storage.savepointIds()) {
      max = Math.max(max, id);
    }
    for (FileStatus status : storage.listOrEmpty(layout.sharedDirectory())) {
      OptionalLong id = CheckpointLayout.sharedId(status.getPath().getName());
      if (id.isPresent()) {
        max = Math.max(max, id.getAsLong());
      }
    }
    return max + 1;
  }

  List<Long> discardAbandoned() throws IOException {
    long newestCompleted = -1;
    Set<Long> candidates = new HashSet<>(storage.checkpointIds());
    for (FileStatus status : storage.listOrEmpty(layout.sharedDirectory())) {
      CheckpointLayout.sharedId(status.getPath().getName()).ifPresent(candidates::add);
    }
    for (long id : CheckpointStorage.newestFirst(storage.checkpointIds())) {
      if (isComplete(id)) {
        newestCompleted = id;
        break;
      }
    }
    List<Long> discarded = new ArrayList<>();
    for (long id : candidates) {
      if (id > newestCompleted) {
        discard(id);
        discarded.add(id);
      }
    }
    discarded.sort(Comparator.naturalOrder());
    return discarded;
  }

  /** Whether checkpoint {@code id} has its metadata, intact or not. */
  private boolean isComplete(long id) throws IOException {
    return fs.exists(new Path(layout.checkpointDirectory(id), CheckpointLayout.METADATA));
  }
}
