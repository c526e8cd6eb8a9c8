package dev.weir.worker.task;

/** How a worker tells the coordinator about its subtasks. */
public interface TaskListener {

  /** The subtask processed all its input and sent end of input downstream. */
  void taskFinished(TaskId task, SubtaskSummary summary);

  /** The subtask failed; {@code cause} is the user's exception where user code threw. */
  void taskFailed(TaskId task, Throwable cause, SubtaskSummary summary);
}
