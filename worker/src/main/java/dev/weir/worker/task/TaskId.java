package dev.weir.worker.task;

import java.io.Serializable;
import java.util.Objects;

/** One subtask of one stage of one job. */
public final class TaskId implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String jobId;
  private final int stage;
  private final int subtask;

  public TaskId(String jobId, int stage, int subtask) {
    this.jobId = jobId;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof TaskId
        && ((TaskId) o).jobId.equals(jobId)
        && ((TaskId) o).stage == stage
        && ((TaskId) o).subtask == subtask;
  }

  @Override
  public int hashCode() {
    return Objects.hash(jobId, stage, subtask);
  }

  @Override
  public String toString() {
    return jobId + "/stage" + stage + "/" + subtask;
  }
}
