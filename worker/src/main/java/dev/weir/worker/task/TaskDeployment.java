package dev.weir.worker.task;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.weir.checkpoint.proto.SubtaskRestore;
import dev.weir.translation.ExecutionPlan;
import dev.weir.worker.usercode.JobArtifact;
import dev.weir.worker.usercode.UserCodeBytes;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Everything a worker needs to run one subtask: the serialized plan with the operators of the
 * subtask's stage only (each subtask deserializes its own copy, so user code instances are never
 * shared, and no other stage's user code is deserialized), which subtask, and where every subtask
 * of the job runs so it can open its output channels; and, after a restart or with {@code
 * --restoreFrom}, the state it starts from.
 *
 * <p>A worker process receives it as a {@code DeployTask} message ({@code weir_control.proto});
 * the plan stays user-code bytes until {@link #stagePlan} decodes them in the subtask.
 */
public final class TaskDeployment {

  private final TaskId taskId;
  private final byte[] serializedPlan;
  private final Map<Integer, List<String>> subtaskAddresses;
  // The options' JSON, and the options read from it once a subtask asks (off the deploy call).
  private final String optionsJson;
  private @Nullable SerializablePipelineOptions options;
  // A SubtaskRestore message's bytes (protobuf), or null for a fresh start.
  private final byte @Nullable [] restore;
  // The jars the job staged; empty when its classes are on the worker's classpath.
  private final List<JobArtifact> artifacts;

  /** A deployment that starts from empty state. */
  public TaskDeployment(
      TaskId taskId,
      byte[] serializedPlan,
      Map<Integer, List<String>> subtaskAddresses,
      SerializablePipelineOptions options) {
    this(taskId, serializedPlan, subtaskAddresses, options, null);
  }

  public TaskDeployment(
      TaskId taskId,
      byte[] serializedPlan,
      Map<Integer, List<String>> subtaskAddresses,
      SerializablePipelineOptions options,
      @Nullable SubtaskRestore restore) {
    this(taskId, serializedPlan, subtaskAddresses, options, restore, List.of());
  }

  /** A deployment of a job that staged {@code artifacts} (its classes are in them). */
  public TaskDeployment(
      TaskId taskId,
      byte[] serializedPlan,
      Map<Integer, List<String>> subtaskAddresses,
      SerializablePipelineOptions options,
      @Nullable SubtaskRestore restore,
      List<JobArtifact> artifacts) {
    // SerializablePipelineOptions' text is the options' JSON.
    this(
        taskId, serializedPlan, subtaskAddresses, options.toString(), options, restore, artifacts);
  }

  private TaskDeployment(
      TaskId taskId,
      byte[] serializedPlan,
      Map<Integer, List<String>> subtaskAddresses,
      String optionsJson,
      @Nullable SerializablePipelineOptions options,
      @Nullable SubtaskRestore restore,
      List<JobArtifact> artifacts) {
    this.artifacts = List.copyOf(artifacts);
    this.restore = restore == null ? null : restore.toByteArray();
    this.taskId = taskId;
    this.serializedPlan = serializedPlan;
    this.subtaskAddresses = subtaskAddresses;
    this.optionsJson = optionsJson;
    this.options = options;
  }

  /**
   * A deployment as it arrives over the network, with the pipeline options in Beam's JSON form:
   * they are read when the subtask first asks for them, on its own thread, so the deploy call
   * answers without waiting for the options' file systems and modules to load.
   */
  public static TaskDeployment withOptionsJson(
      TaskId taskId,
      byte[] serializedPlan,
      Map<Integer, List<String>> subtaskAddresses,
      String optionsJson,
      @Nullable SubtaskRestore restore,
      List<JobArtifact> artifacts) {
    return new TaskDeployment(
        taskId, serializedPlan, subtaskAddresses, optionsJson, null, restore, artifacts);
  }

  /** The jars the job staged, which hold its classes; empty if the worker has them. */
  public List<JobArtifact> artifacts() {
    return artifacts;
  }

  public TaskId taskId() {
    return taskId;
  }

  /** The stage plan's user-code bytes ({@link UserCodeBytes}). */
  public byte[] serializedPlan() {
    return serializedPlan;
  }

  /** The plan, decoded with the classes of {@code jobLoader}: the job's class loader. */
  public ExecutionPlan stagePlan(ClassLoader jobLoader) {
    return UserCodeBytes.decode(
        serializedPlan, ExecutionPlan.class, jobLoader, "the plan of " + taskId);
  }

  /** Stage id to the exchange address of each of its subtasks, by subtask index. */
  public Map<Integer, List<String>> subtaskAddresses() {
    return subtaskAddresses;
  }

  public synchronized SerializablePipelineOptions options() {
    if (options == null) {
      options = new SerializablePipelineOptions(optionsJson);
    }
    return options;
  }

  /** The pipeline options in Beam's JSON form. */
  public String optionsJson() {
    return optionsJson;
  }

  /** The state this subtask starts from, or null for a fresh start. */
  public @Nullable SubtaskRestore restore() {
    if (restore == null) {
      return null;
    }
    try {
      return SubtaskRestore.parseFrom(restore);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("The restore handles of " + taskId + " are unreadable", e);
    }
  }
}
