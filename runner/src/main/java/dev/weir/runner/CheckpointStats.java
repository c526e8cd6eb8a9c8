package dev.weir.runner;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One checkpoint of a job as {@link WeirPipelineResult#checkpoints()} reports it.
 *
 * @param id the checkpoint's id ({@code chk-<id>} in the checkpoint directory)
 * @param attempt the job attempt that took it (0 first, one more after each restart)
 * @param status whether it completed or was aborted
 * @param triggeredAtMillis when it was triggered, milliseconds since the epoch
 * @param durationMillis from the trigger to its completion or abort
 * @param sizeBytes bytes of state the checkpoint names in all (files shared with earlier
 *     checkpoints included); 0 for an aborted one
 * @param incrementalSizeBytes bytes this checkpoint uploaded itself; 0 for an aborted one
 * @param maxSyncMillis the longest synchronous part of one subtask (ending its bundle, the
 *     operators' and backends' local snapshots, on the subtask's thread, which processes nothing
 *     meanwhile); 0 for an aborted one
 * @param maxAsyncMillis the longest asynchronous part of one subtask (the upload); 0 for an
 *     aborted one
 * @param failureReason why it was aborted (a timeout, a subtask's decline, a failed attempt, a
 *     storage error), or null
 */
public record CheckpointStats(
    long id,
    int attempt,
    Status status,
    long triggeredAtMillis,
    long durationMillis,
    long sizeBytes,
    long incrementalSizeBytes,
    long maxSyncMillis,
    long maxAsyncMillis,
    @Nullable String failureReason) {

  /** How a checkpoint ended. */
  public enum Status {
    /** Its metadata is written: the job can restart from it. */
    COMPLETED,
    /** Declined, timed out, cut short by a failure, or not writable; its files are removed. */
    ABORTED
  }
}
