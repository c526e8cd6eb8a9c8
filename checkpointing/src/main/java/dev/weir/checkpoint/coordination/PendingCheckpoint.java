package dev.weir.checkpoint.coordination;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.CheckpointKind;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.DeclineCheckpoint;
import dev.weir.checkpoint.proto.NamedBytes;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One checkpoint of one job attempt between its trigger and its end: the subtasks it still waits
 * for, the state those that acknowledged reported, and whether it was aborted.
 *
 * <p>A subtask that finished before acknowledging counts as acknowledged with no state: it took no
 * part in the checkpoint because all its output, end of input included, was already sent, so the
 * subtasks downstream hold its effects (an ended channel counts as one that delivered the barrier).
 * The metadata records it as {@linkplain #FINISHED_ENTRY_PREFIX finished}; a restore ends such a
 * subtask at once. This relies on a worker reporting a subtask's acknowledgement of a checkpoint it
 * did take before reporting that the subtask finished.
 *
 * <p>Not thread-safe: the coordinator that owns it serializes the calls.
 */
public final class PendingCheckpoint {
  /**
   * Prefix of the job-wide metadata entries naming the subtasks that had finished: {@code
   * finished/<stage>/<subtask>}, with empty bytes. Stage ids are those of the plan whose
   * fingerprint the metadata carries.
   */
  public static final String FINISHED_ENTRY_PREFIX = "finished/";

  private static final int FORMAT_VERSION = 1;

  private final String jobId;
  private final int attempt;
  private final long checkpointId;
  private final CheckpointKind kind;
  private final long triggeredAtMillis;
  private final ByteString planFingerprint;
  private final Set<StageSubtask> awaited;
  private final Map<StageSubtask, AcknowledgeCheckpoint> acknowledged = new TreeMap<>();
  private final SortedSet<StageSubtask> finished = new TreeSet<>();
  private @Nullable String abortReason;

  /**
   * @param expected every subtask of the attempt that has not finished when the checkpoint is
   *     triggered; those that finish later are reported with {@link #subtaskFinished}
   */
  public PendingCheckpoint(
      String jobId,
      int attempt,
      long checkpointId,
      CheckpointKind kind,
      long triggeredAtMillis,
      ByteString planFingerprint,
      Collection<StageSubtask> expected) {
    if (kind == CheckpointKind.CHECKPOINT_KIND_UNSPECIFIED || kind == CheckpointKind.UNRECOGNIZED) {
      throw new IllegalArgumentException("A checkpoint needs a kind, got " + kind);
    }
    this.jobId = jobId;
    this.attempt = attempt;
    this.checkpointId = checkpointId;
    this.kind = kind;
    this.triggeredAtMillis = triggeredAtMillis;
    this.planFingerprint = planFingerprint;
    this.awaited = new HashSet<>(expected);
  }

  public long checkpointId() {
    return checkpointId;
  }

  public int attempt() {
    return attempt;
  }

  public CheckpointKind kind() {
    return kind;
  }

  public long triggeredAtMillis() {
    return triggeredAtMillis;
  }

  /**
   * Counts one subtask's acknowledgement.
   *
   * @return false if it was not counted: for another job, attempt or checkpoint, from a subtask
   *     this checkpoint does not wait for (or no longer: a duplicate), or after the abort
   */
  public boolean acknowledge(AcknowledgeCheckpoint ack) {
    StageSubtask subtask = new StageSubtask(ack.getStage(), ack.getSubtask());
    if (abortReason != null
        || !ack.getJobId().equals(jobId)
        || ack.getAttempt() != attempt
        || ack.getCheckpointId() != checkpointId
        || !awaited.remove(subtask)) {
      return false;
    }
    acknowledged.put(subtask, ack);
    return true;
  }

  /**
   * A subtask ended normally. If the checkpoint still waited for it, it counts as acknowledged with
   * no state.
   *
   * @return whether it was still awaited
   */
  public boolean subtaskFinished(StageSubtask subtask) {
    if (abortReason != null || !awaited.remove(subtask)) {
      return false;
    }
    finished.add(subtask);
    return true;
  }

  /**
   * A subtask declined: the checkpoint is aborted.
   *
   * @return false if the decline was for another job, attempt or checkpoint (ignored)
   */
  public boolean decline(DeclineCheckpoint decline) {
    if (!decline.getJobId().equals(jobId)
        || decline.getAttempt() != attempt
        || decline.getCheckpointId() != checkpointId) {
      return false;
    }
    abort(
        "subtask "
            + new StageSubtask(decline.getStage(), decline.getSubtask())
            + " declined: "
            + decline.getReason());
    return true;
  }

  /** Aborts the checkpoint (a timeout, a failure of the attempt); the first reason stays. */
  public void abort(String reason) {
    if (abortReason == null) {
      abortReason = reason;
    }
  }

  public boolean isAborted() {
    return abortReason != null;
  }

  /** Why the checkpoint was aborted, or null. */
  public @Nullable String abortReason() {
    return abortReason;
  }

  /** Every awaited subtask acknowledged or finished, and no abort. */
  public boolean isComplete() {
    return abortReason == null && awaited.isEmpty();
  }

  /** The subtasks that neither acknowledged nor finished yet. */
  public Set<StageSubtask> awaited() {
    return Collections.unmodifiableSet(new TreeSet<>(awaited));
  }

  /** The subtasks counted because they finished before acknowledging. */
  public SortedSet<StageSubtask> finished() {
    return Collections.unmodifiableSortedSet(finished);
  }

  /** The acknowledgements counted so far, by subtask. */
  public SortedMap<StageSubtask, AcknowledgeCheckpoint> acknowledgements() {
    return Collections.unmodifiableSortedMap(new TreeMap<>(acknowledged));
  }

  /** Bytes the acknowledged subtasks' state handles name in all (the checkpoint's size). */
  public long stateBytes() {
    long sum = 0;
    for (AcknowledgeCheckpoint ack : acknowledged.values()) {
      sum += ack.getStateBytes();
    }
    return sum;
  }

  /**
   * The longest synchronous part among the acknowledged subtasks, in milliseconds: the time one
   * subtask spent on its thread snapshotting instead of processing (0 if none acknowledged).
   */
  public long maxSyncMillis() {
    long max = 0;
    for (AcknowledgeCheckpoint ack : acknowledged.values()) {
      max = Math.max(max, ack.getSyncDurationMillis());
    }
    return max;
  }

  /** The longest asynchronous part (upload) among the acknowledged subtasks, in milliseconds. */
  public long maxAsyncMillis() {
    long max = 0;
    for (AcknowledgeCheckpoint ack : acknowledged.values()) {
      max = Math.max(max, ack.getAsyncDurationMillis());
    }
    return max;
  }

  /** Bytes this checkpoint uploaded (its incremental size). */
  public long uploadedBytes() {
    long sum = 0;
    for (AcknowledgeCheckpoint ack : acknowledged.values()) {
      sum += ack.getUploadedBytes();
    }
    return sum;
  }

  /**
   * The metadata of the completed checkpoint: the acknowledged operators' states in stage and
   * subtask order, and an entry per finished subtask.
   *
   * @throws IllegalStateException if the checkpoint is not {@linkplain #isComplete complete}
   */
  public CheckpointMetadata toMetadata(long completedAtMillis) {
    if (!isComplete()) {
      throw new IllegalStateException(
          "Checkpoint "
              + checkpointId
              + " is not complete: "
              + (abortReason != null ? "aborted (" + abortReason + ")" : "awaiting " + awaited()));
    }
    CheckpointMetadata.Builder metadata =
        CheckpointMetadata.newBuilder()
            .setFormatVersion(FORMAT_VERSION)
            .setJobId(jobId)
            .setCheckpointId(checkpointId)
            .setPlanFingerprint(planFingerprint)
            .setKind(kind)
            .setTriggeredAtMillis(triggeredAtMillis)
            .setCompletedAtMillis(completedAtMillis);
    for (AcknowledgeCheckpoint ack : acknowledged.values()) {
      metadata.addAllSubtasks(ack.getOperatorsList());
    }
    for (StageSubtask subtask : finished) {
      metadata.addEntries(
          NamedBytes.newBuilder()
              .setName(FINISHED_ENTRY_PREFIX + subtask.stage() + "/" + subtask.subtask())
              .setValue(ByteString.EMPTY));
    }
    return metadata.build();
  }

  /**
   * The subtasks a checkpoint's metadata records as finished (see {@link #FINISHED_ENTRY_PREFIX}).
   */
  public static SortedSet<StageSubtask> finishedSubtasks(CheckpointMetadata metadata) {
    SortedSet<StageSubtask> result = new TreeSet<>();
    for (NamedBytes entry : metadata.getEntriesList()) {
      String name = entry.getName();
      if (!name.startsWith(FINISHED_ENTRY_PREFIX)) {
        continue;
      }
      List<String> parts = List.of(name.substring(FINISHED_ENTRY_PREFIX.length()).split("/"));
      try {
        if (parts.size() == 2) {
          result.add(
              new StageSubtask(Integer.parseInt(parts.get(0)), Integer.parseInt(parts.get(1))));
          continue;
        }
      } catch (NumberFormatException e) {
        // Falls through to the error below.
      }
      throw new IllegalArgumentException(
          "Checkpoint " + metadata.getCheckpointId() + " has a malformed entry '" + name + "'");
    }
    return result;
  }
}
