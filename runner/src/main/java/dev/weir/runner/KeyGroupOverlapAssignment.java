package dev.weir.runner;

import dev.weir.checkpoint.proto.OperatorRestore;
import dev.weir.checkpoint.proto.SubtaskRestore;
import dev.weir.checkpoint.proto.SubtaskState;
import dev.weir.checkpoint.storage.CompletedCheckpoint;
import dev.weir.state.KeyGroupRange;
import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.StagePlan;

/**
 * The coordinator's own restore assignment until the checkpointing module's (issue 13, {@code
 * dev.weir.checkpoint.restore}) replaces it: each operator of the stage gets the key groups the new
 * subtask owns, the keyed state of every old subtask of the operator whose key groups overlap them
 * (the backend keeps only its own), and the named entries of all old subtasks of the operator.
 * Operators are matched by their full transform name, which is the operator id workers acknowledge
 * with.
 *
 * <p>Not yet handled: subtasks the checkpoint records as finished (the restore message has no field
 * for them, so they run again from their restored state).
 */
final class KeyGroupOverlapAssignment implements RestoreAssignment {

  @Override
  public SubtaskRestore restoreFor(
      CompletedCheckpoint checkpoint,
      String jobDirectory,
      ExecutionPlan plan,
      StagePlan stage,
      int subtask) {
    KeyGroupRange owned =
        KeyGroupRange.forSubtask(subtask, stage.parallelism(), plan.maxParallelism());
    SubtaskRestore.Builder restore =
        SubtaskRestore.newBuilder().setCheckpointId(checkpoint.id()).setJobDirectory(jobDirectory);
    for (OperatorPlan operator : stage.operators()) {
      OperatorRestore.Builder restored =
          OperatorRestore.newBuilder()
              .setOperatorId(operator.name())
              .setKeyGroups(
                  dev.weir.checkpoint.proto.KeyGroupRange.newBuilder()
                      .setStart(owned.start())
                      .setEnd(owned.end()));
      boolean any = false;
      for (SubtaskState old : checkpoint.metadata().getSubtasksList()) {
        if (!old.getOperatorId().equals(operator.name())) {
          continue;
        }
        any = true;
        restored.addAllEntries(old.getEntriesList());
        if (old.hasKeyedState()
            && old.hasKeyGroups()
            && old.getKeyGroups().getStart() < owned.end()
            && owned.start() < old.getKeyGroups().getEnd()) {
          restored.addKeyedState(old.getKeyedState());
        }
      }
      if (any) {
        restore.addOperators(restored);
      }
    }
    return restore.build();
  }
}
