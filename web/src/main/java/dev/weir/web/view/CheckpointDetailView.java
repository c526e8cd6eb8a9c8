package dev.weir.web.view;

import java.util.List;

/**
 * One checkpoint, subtask by subtask: what each stage's subtasks acknowledged.
 *
 * @param status {@code COMPLETED}, {@code FAILED} or, while it runs, {@code IN_PROGRESS}
 * @param summary its entry in the history; null while in progress
 */
public record CheckpointDetailView(
    long id, String status, CheckpointHistoryView.Checkpoint summary, List<Stage> stages) {
  public CheckpointDetailView {
    stages = List.copyOf(stages);
  }

  /** One stage's subtasks, by index. */
  public record Stage(int id, String name, List<Subtask> subtasks) {
    public Stage {
      subtasks = List.copyOf(subtasks);
    }
  }

  /**
   * One subtask's part. Durations and sizes are 0 unless {@code ACKNOWLEDGED}.
   *
   * @param status {@code ACKNOWLEDGED}, {@code FINISHED} (it had ended: nothing to snapshot),
   *     {@code DECLINED} or {@code PENDING} (not acknowledged, yet or before the abort)
   * @param ackMillis from the trigger to the coordinator receiving the acknowledgement; -1 unless
   *     acknowledged
   * @param startDelayMillis from the trigger to the subtask beginning the checkpoint (its first
   *     barrier; the trigger reaching a subtask without input); -1 where not known
   * @param alignmentMillis from its first input channel's barrier to its last
   * @param syncMillis the subtask thread's part: ending the bundle, the local snapshot
   * @param asyncMillis the upload
   * @param stateBytes the bytes the subtask's state handles name in all (full size)
   * @param uploadedBytes what this checkpoint uploaded for it (incremental size)
   * @param failureReason why it declined; null otherwise
   */
  public record Subtask(
      int subtask,
      String status,
      long ackMillis,
      long startDelayMillis,
      long alignmentMillis,
      long syncMillis,
      long asyncMillis,
      long stateBytes,
      long uploadedBytes,
      String failureReason) {}
}
