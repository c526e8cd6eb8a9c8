package dev.weir.worker.task;

import java.io.Serializable;
import java.util.Objects;

/**
 * One subtask of one stage of one job, in one attempt of the job (0 first, one more at each
 * restart from a checkpoint).
 */
public final class TaskId implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String jobId;
  private final int stage;
  private final int subtask;
  private final int attempt;

  /** A subtask of the job's first attempt. */
  public TaskId(String jobId, int stage, int subtask) {
    this(jobId, stage, subtask, 0);
  }

  public TaskId(String jobId, int stage, int subtask, int attempt) {
    this.jobId = jobId;
    this.attempt = attempt;
    this.stage = stage;
    this.subtask = subtask;
  }

  public String jobId() {
    return jobId;
  }

  public int stage() {
    return stage;
  }

  public int subtask() {
    return subtask;
  }

  public int attempt() {
    return attempt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TaskId
        && ((TaskId) o).jobId.equals(jobId)
        && ((TaskId) o).stage == stage
        && ((TaskId) o).subtask == subtask
        && ((TaskId) o).attempt == attempt;
  }

  @Override
  public int hashCode() {
    return Objects.hash(jobId, stage, subtask, attempt);
  }

  @Override
  public String toString() {
    return jobId + (attempt == 0 ? "" : "#" + attempt) + "/stage" + stage + "/" + subtask;
  }
}
