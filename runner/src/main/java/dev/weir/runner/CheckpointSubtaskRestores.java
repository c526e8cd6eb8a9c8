package dev.weir.runner;

import dev.weir.checkpoint.coordination.PendingCheckpoint;
import dev.weir.checkpoint.coordination.StageSubtask;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.SubtaskRestore;
import dev.weir.checkpoint.restore.RestoreAssignment;
import dev.weir.checkpoint.storage.CompletedCheckpoint;
import dev.weir.state.KeyGroupRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Restores through the checkpointing module's {@link RestoreAssignment} (keyed state by key-group
 * overlap, every old subtask's named entries), checked once per checkpoint against the plan, and
 * marks the subtasks the checkpoint recorded as finished: at the same parallelism the subtask with
 * the same index, at another only when the whole stage had finished (otherwise its operators tell
 * finished parts apart themselves, e.g. a source split without a position had finished).
 */
final class CheckpointSubtaskRestores implements SubtaskRestores {
  private long assignedCheckpoint = -1;
  private String assignedDirectory;
  private RestoreAssignment assignment;
  private Set<StageSubtask> finished;

  @Override
  public synchronized SubtaskRestore restoreFor(
      CompletedCheckpoint checkpoint,
      String jobDirectory,
      JobTopology plan,
      JobTopology.Stage stage,
      int subtask) {
    if (assignment == null
        || assignedCheckpoint != checkpoint.id()
        || !assignedDirectory.equals(jobDirectory)) {
      List<String> operators = new ArrayList<>();
      for (JobTopology.Stage s : plan.stages()) {
        operators.addAll(s.operatorNames());
      }
      assignment =
          RestoreAssignment.of(checkpoint, jobDirectory, operators, plan.maxParallelism(), false);
      finished = PendingCheckpoint.finishedSubtasks(checkpoint.metadata());
      assignedCheckpoint = checkpoint.id();
      assignedDirectory = jobDirectory;
    }
    List<String> operatorIds = stage.operatorNames();
    SubtaskRestore restore =
        assignment.subtask(
            operatorIds,
            KeyGroupRange.forSubtask(subtask, stage.parallelism(), plan.maxParallelism()));
    return finished(checkpoint.metadata(), stage, subtask)
        ? restore.toBuilder().setFinished(true).build()
        : restore;
  }

  private boolean finished(CheckpointMetadata metadata, JobTopology.Stage stage, int subtask) {
    int before = metadata.getStageParallelismOrDefault(stage.id(), 0);
    if (before == stage.parallelism()) {
      return finished.contains(new StageSubtask(stage.id(), subtask));
    }
    if (before == 0) {
      return false;
    }
    for (int i = 0; i < before; i++) {
      if (!finished.contains(new StageSubtask(stage.id(), i))) {
        return false;
      }
    }
    return true;
  }
}
