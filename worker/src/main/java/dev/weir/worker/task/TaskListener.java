package dev.weir.worker.task;

import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;

/** How a worker tells the coordinator about its subtasks. */
public interface TaskListener {

  /** The subtask processed all its input and sent end of input downstream. */
  void taskFinished(TaskId task, MetricsContainerStepMap metrics);

  /** The subtask failed; {@code cause} is the user's exception where user code threw. */
  void taskFailed(TaskId task, Throwable cause, MetricsContainerStepMap metrics);
}
