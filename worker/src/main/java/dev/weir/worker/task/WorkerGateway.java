package dev.weir.worker.task;

import java.util.List;

/**
 * How a coordinator reaches one worker: in this JVM ({@link WorkerNode}) or in another process
 * over gRPC. Subtasks report back through the {@link TaskListener} given with each deployment.
 */
public interface WorkerGateway {

  String name();

  /** host:port where this worker's subtasks receive their input. */
  String exchangeAddress();

  /** Starts a subtask; it reports to {@code listener} when it ends. */
  void deploy(TaskDeployment deployment, TaskListener listener);

  /** Breaks every channel of {@code jobId} and interrupts its subtasks. */
  void cancelJob(String jobId);

  /** Where each running subtask of {@code jobId} on this worker is. */
  default List<SubtaskProgress> progress(String jobId) {
    return List.of();
  }
}
