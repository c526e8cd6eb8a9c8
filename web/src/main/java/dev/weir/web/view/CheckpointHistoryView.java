package dev.weir.web.view;

import java.util.List;

/**
 * A job's checkpoints: counts over the whole run and the newest that ended, oldest first.
 *
 * @param latestCompletedId the newest completed checkpoint's id; -1 if none
 */
public record CheckpointHistoryView(
    boolean enabled,
    long completed,
    long aborted,
    long latestCompletedId,
    List<Checkpoint> history) {
  public CheckpointHistoryView {
    history = List.copyOf(history);
  }

  /**
   * One checkpoint that ended; {@code status} is {@code COMPLETED} or {@code ABORTED}, {@code
   * failureReason} null unless aborted.
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
