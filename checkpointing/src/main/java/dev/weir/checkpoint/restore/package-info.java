/**
 * What a restart starts from: which old subtasks' state each new subtask restores ({@link
 * dev.weir.checkpoint.restore.RestoreAssignment}, also for another parallelism), the checkpoint
 * a {@code --restoreFrom} URI names ({@link dev.weir.checkpoint.restore.RestoreSource}), and how
 * often to restart ({@link dev.weir.checkpoint.restore.RestartStrategy}). Pure decisions over
 * stored metadata; the coordinator acts on them.
 */
package dev.weir.checkpoint.restore;
