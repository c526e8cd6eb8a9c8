package dev.weir.worker.control;

import dev.weir.worker.task.SubtaskSummary;
import dev.weir.worker.task.TaskId;
import java.io.Serializable;
import org.checkerframework.checker.nullness.qual.Nullable;

/** The end of one subtask, sent from its worker to the coordinator. */
public final class TaskReport implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TaskId task;
  private final @Nullable Throwable failure;
  private final SubtaskSummary summary;

  private TaskReport(TaskId task, @Nullable Throwable failure, SubtaskSummary summary) {
    this.task = task;
    this.failure = failure;
    this.summary = summary;
  }

  public static TaskReport finished(TaskId task, SubtaskSummary summary) {
    return new TaskReport(task, null, summary);
  }

  /** A failed subtask; the cause is made serializable if it is not. */
  public static TaskReport failed(TaskId task, Throwable cause, SubtaskSummary summary) {
    return new TaskReport(task, RemoteFailure.transferable(cause), summary);
  }

  public TaskId task() {
    return task;
  }

  /** Null if the subtask finished normally. */
  public @Nullable Throwable failure() {
    return failure;
  }

  public SubtaskSummary summary() {
    return summary;
  }
}
