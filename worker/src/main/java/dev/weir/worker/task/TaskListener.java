package dev.weir.worker.task;

import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.DeclineCheckpoint;

/** How a worker tells the coordinator about its subtasks. */
public interface TaskListener {

  /** The subtask's part of a checkpoint is taken and uploaded. */
  default void checkpointAcknowledged(TaskId task, AcknowledgeCheckpoint ack) {}

  /** The subtask could not take a checkpoint; the checkpoint cannot complete. */
  default void checkpointDeclined(TaskId task, DeclineCheckpoint decline) {}

  /** The subtask processed all its input and sent end of input downstream. */
  void taskFinished(TaskId task, SubtaskSummary summary);

  /** The subtask failed; {@code cause} is the user's exception where user code threw. */
  void taskFailed(TaskId task, Throwable cause, SubtaskSummary summary);
}
