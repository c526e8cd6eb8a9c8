package dev.weir.worker.task;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;

/**
 * Everything a worker needs to run one subtask: the serialized plan with the operators of the
 * subtask's stage only (each subtask deserializes its own copy, so user code instances are never
 * shared, and no other stage's user code is deserialized), which subtask, and where every subtask
 * of the job runs so it can open its output channels.
 */
public final class TaskDeployment implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TaskId taskId;
  private final byte[] serializedPlan;
  private final Map<Integer, List<String>> subtaskAddresses;
  private final SerializablePipelineOptions options;

  public TaskDeployment(
      TaskId taskId,
      byte[] serializedPlan,
      Map<Integer, List<String>> subtaskAddresses,
      SerializablePipelineOptions options) {
    this.taskId = taskId;
    this.serializedPlan = serializedPlan;
    this.subtaskAddresses = subtaskAddresses;
    this.options = options;
  }

  public TaskId taskId() {
    return taskId;
  }

  public byte[] serializedPlan() {
    return serializedPlan;
  }

  /** Stage id to the exchange address of each of its subtasks, by subtask index. */
  public Map<Integer, List<String>> subtaskAddresses() {
    return subtaskAddresses;
  }

  public SerializablePipelineOptions options() {
    return options;
  }
}
