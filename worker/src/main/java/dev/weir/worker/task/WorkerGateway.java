package dev.weir.worker.task;

import dev.weir.checkpoint.proto.CheckpointOutcome;
import dev.weir.checkpoint.proto.TriggerCheckpoint;
import java.util.List;

/**
 * How a coordinator reaches one worker: in this JVM ({@link WorkerNode}) or in another process
 * over gRPC. Subtasks report back through the {@link TaskListener} given with each deployment.
 */
public interface WorkerGateway {

  String name();

  /**
   * How many subtasks of each stage of a job this worker takes (its {@code --slots}); a worker in
   * the coordinator's own JVM takes as many as a job has.
   */
  default int slots() {
    return Integer.MAX_VALUE;
  }

  /** host:port where this worker's subtasks receive their input. */
  String exchangeAddress();

  /** Starts a subtask; it reports to {@code listener} when it ends. */
  void deploy(TaskDeployment deployment, TaskListener listener);

  /** Breaks every channel of {@code jobId} and interrupts its subtasks. */
  void cancelJob(String jobId);

  /**
   * Breaks every channel of attempt {@code attempt} of {@code jobId} and interrupts its subtasks;
   * a later attempt of the job is not affected (a restart).
   */
  default void cancelAttempt(String jobId, int attempt) {
    cancelJob(jobId);
  }

  /**
   * Starts checkpoint {@code trigger.getCheckpointId()} at the source subtasks of the trigger's
   * job attempt running on this worker; the others take it when its barrier reaches them.
   */
  default void triggerCheckpoint(TriggerCheckpoint trigger) {}

  /** Tells the subtasks of the outcome's job attempt on this worker that a checkpoint ended. */
  default void checkpointOutcome(CheckpointOutcome outcome) {}

  /** Where each running subtask of {@code jobId} on this worker is. */
  default List<SubtaskProgress> progress(String jobId) {
    return List.of();
  }
}
