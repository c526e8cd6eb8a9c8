package dev.weir.worker.task;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;

/** Makes the keyed state backend of one operator of one subtask. */
@FunctionalInterface
public interface StateBackendFactory {
  KeyedStateBackend create(TaskId task, String operatorName, KeyGroupRange keyGroups);
}
