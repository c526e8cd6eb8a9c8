package dev.weir.runner;

import dev.weir.checkpoint.proto.SubtaskRestore;
import dev.weir.checkpoint.storage.CompletedCheckpoint;

/**
 * Decides what each subtask of a restarted attempt starts from, given the checkpoint the job
 * restarts from. {@link JobCoordinator} asks it once per subtask when it redeploys.
 */
interface SubtaskRestores {

  /**
   * The state subtask {@code subtask} of {@code stage} (at the stage's parallelism in {@code plan})
   * starts from.
   *
   * @param jobDirectory the directory the checkpoint's file paths are relative to
   */
  SubtaskRestore restoreFor(
      CompletedCheckpoint checkpoint,
      String jobDirectory,
      JobTopology plan,
      JobTopology.Stage stage,
      int subtask);
}
