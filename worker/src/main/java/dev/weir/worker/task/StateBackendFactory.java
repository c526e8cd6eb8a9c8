package dev.weir.worker.task;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;

/** Makes the keyed state backend of one operator of one subtask. */
@FunctionalInterface
public interface StateBackendFactory {

  /**
   * A new, empty backend for the key groups {@code keyGroups}; {@code windowCoder} is the coder of
   * the windows its timers' namespaces name.
   */
  KeyedStateBackend create(
      TaskId task,
      String operatorName,
      KeyGroupRange keyGroups,
      Coder<? extends BoundedWindow> windowCoder);
}
