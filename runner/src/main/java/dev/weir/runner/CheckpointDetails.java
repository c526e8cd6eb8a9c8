package dev.weir.runner;

import dev.weir.checkpoint.coordination.StageSubtask;
import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Each subtask's part of the newest checkpoints, as their acknowledgements, declines and ends
 * tell it, for the web's checkpoint detail. A checkpoint of a job at parallelism 100 with 10
 * stages has 1000 parts, so only the newest {@link #CAPACITY} checkpoints keep theirs.
 *
 * <p>Not thread-safe; the {@link CheckpointCoordinator} guards it.
 */
final class CheckpointDetails {
  /** Checkpoints whose parts are kept; the history keeps more, without parts. */
  static final int CAPACITY = 50;

  /** How a subtask's part of a checkpoint stands. */
  enum Status {
    /** Not acknowledged (yet, or ever: the checkpoint was aborted first). */
    PENDING,
    /** Snapshot taken and uploaded. */
    ACKNOWLEDGED,
    /** The subtask had ended normally: nothing to snapshot. */
    FINISHED,
    /** The subtask could not take it; the checkpoint was aborted. */
    DECLINED
  }

  /**
   * One subtask's part. Durations and sizes are 0 unless acknowledged.
   *
   * @param ackMillis from the trigger to the coordinator receiving the acknowledgement; -1 unless
   *     acknowledged
   * @param startDelayMillis from the trigger to the subtask beginning the checkpoint (its first
   *     barrier, or the trigger reaching a subtask without input); -1 unless acknowledged by a
   *     worker that reports it
   * @param alignmentMillis from the first barrier to the last of its input channels
   * @param syncMillis the subtask thread's part (ending the bundle, the local snapshot)
   * @param asyncMillis the upload
   * @param stateBytes the bytes its state handles name in all (full size)
   * @param uploadedBytes the bytes this checkpoint uploaded for it (incremental size)
   * @param failureReason why it declined; null otherwise
   */
  record Part(
      int stage,
      int subtask,
      Status status,
      long ackMillis,
      long startDelayMillis,
      long alignmentMillis,
      long syncMillis,
      long asyncMillis,
      long stateBytes,
      long uploadedBytes,
      @Nullable String failureReason) {}

  private static final class Parts {
    final long triggeredAtMillis;
    final Map<StageSubtask, Part> bySubtask = new TreeMap<>();

    Parts(long triggeredAtMillis) {
      this.triggeredAtMillis = triggeredAtMillis;
    }
  }

  private final Map<Long, Parts> newest = new LinkedHashMap<>();

  /** Checkpoint {@code id} was triggered at {@code atMillis}, awaiting {@code subtasks}. */
  void triggered(long id, long atMillis, Collection<StageSubtask> subtasks) {
    if (newest.size() == CAPACITY) {
      newest.remove(newest.keySet().iterator().next());
    }
    Parts parts = new Parts(atMillis);
    for (StageSubtask s : subtasks) {
      parts.bySubtask.put(
          s, new Part(s.stage(), s.subtask(), Status.PENDING, -1, -1, 0, 0, 0, 0, 0, null));
    }
    newest.put(id, parts);
  }

  /** A counted acknowledgement, received at {@code nowMillis}. */
  void acknowledged(AcknowledgeCheckpoint ack, long nowMillis) {
    Parts parts = newest.get(ack.getCheckpointId());
    if (parts == null) {
      return;
    }
    parts.bySubtask.put(
        new StageSubtask(ack.getStage(), ack.getSubtask()),
        new Part(
            ack.getStage(),
            ack.getSubtask(),
            Status.ACKNOWLEDGED,
            Math.max(0, nowMillis - parts.triggeredAtMillis),
            ack.getStartedAtMillis() == 0
                ? -1
                : Math.max(0, ack.getStartedAtMillis() - parts.triggeredAtMillis),
            ack.getAlignmentDurationMillis(),
            ack.getSyncDurationMillis(),
            ack.getAsyncDurationMillis(),
            ack.getStateBytes(),
            ack.getUploadedBytes(),
            null));
  }

  /** A subtask of checkpoint {@code id} had ended and counts as acknowledged with no state. */
  void finished(long id, StageSubtask subtask) {
    set(
        id,
        new Part(subtask.stage(), subtask.subtask(), Status.FINISHED, -1, -1, 0, 0, 0, 0, 0, null));
  }

  /** A subtask declined checkpoint {@code id}. */
  void declined(long id, StageSubtask subtask, String reason) {
    set(
        id,
        new Part(
            subtask.stage(), subtask.subtask(), Status.DECLINED, -1, -1, 0, 0, 0, 0, 0, reason));
  }

  private void set(long id, Part part) {
    Parts parts = newest.get(id);
    if (parts != null) {
      parts.bySubtask.put(new StageSubtask(part.stage(), part.subtask()), part);
    }
  }

  /** Checkpoint {@code id}'s parts by stage and subtask; null if it is not among the newest. */
  @Nullable List<Part> of(long id) {
    Parts parts = newest.get(id);
    return parts == null ? null : new ArrayList<>(parts.bySubtask.values());
  }
}
