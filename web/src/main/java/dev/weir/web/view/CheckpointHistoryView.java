package dev.weir.web.view;

import java.util.List;

/**
 * A job's checkpoints: counts over the whole run and the newest that ended, oldest first. A
 * checkpoint that did not complete (declined, timed out, its upload or metadata failed, cut short
 * by a restart) is {@code FAILED}, as Flink's dashboard calls it; {@code
 * WeirPipelineResult.checkpoints()} names the same status {@code ABORTED}.
 *
 * @param latestCompletedId the newest completed checkpoint's id; -1 if none
 */
public record CheckpointHistoryView(
    boolean enabled,
    long completed,
    long failed,
    long latestCompletedId,
    List<Checkpoint> history) {
  public CheckpointHistoryView {
    history = List.copyOf(history);
  }

  /**
   * One checkpoint that ended; {@code status} is {@code COMPLETED} or {@code FAILED}, {@code
   * failureReason} null unless failed.
   */
  public record Checkpoint(
      long id,
      int attempt,
      String status,
      long triggeredAtMillis,
      long durationMillis,
      long sizeBytes,
      long incrementalSizeBytes,
      long maxSyncMillis,
      long maxAsyncMillis,
      String failureReason) {}
}
