package dev.weir.runner;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.CheckpointOutcome;
import dev.weir.checkpoint.proto.KeyGroupRange;
import dev.weir.checkpoint.proto.NamedBytes;
import dev.weir.checkpoint.proto.StateFormat;
import dev.weir.checkpoint.proto.SubtaskState;
import dev.weir.checkpoint.proto.TriggerCheckpoint;
import dev.weir.checkpoint.storage.CheckpointStorage;
import dev.weir.checkpoint.storage.OperatorSubtask;
import dev.weir.checkpoint.storage.UploadResult;
import dev.weir.worker.task.SubtaskSummary;
import dev.weir.worker.task.TaskDeployment;
import dev.weir.worker.task.TaskId;
import dev.weir.worker.task.TaskListener;
import dev.weir.worker.task.WorkerGateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;

/**
 * A worker that runs nothing but takes checkpoints as a real one would look from the coordinator:
 * on a trigger, each of its subtasks of the trigger's attempt that is {@linkplain #silence not
 * silenced} uploads a small state file through the real storage and acknowledges with its handle,
 * on the triggering thread. Records deployments, cancels and outcomes.
 */
class AcknowledgingWorker implements WorkerGateway {
  private final String name;
  private final Path localDirectory;
  private final Map<TaskId, TaskListener> subtasks = new LinkedHashMap<>();
  final List<TaskDeployment> deployed = Collections.synchronizedList(new ArrayList<>());
  final List<CheckpointOutcome> outcomes = Collections.synchronizedList(new ArrayList<>());
  final List<Integer> cancelledAttempts = Collections.synchronizedList(new ArrayList<>());
  private final Set<TaskId> silenced = new HashSet<>();
  private volatile CheckpointStorage storage;
  private volatile Predicate<TaskDeployment> failOnDeploy = d -> false;
  private volatile Runnable duringDeploy = () -> {};
  private volatile java.util.function.IntFunction<String> operatorOfStage = s -> "Count-stage" + s;

  AcknowledgingWorker(String name, Path localDirectory) {
    this.name = name;
    this.localDirectory = localDirectory;
  }

  /** The storage subtasks upload to (in a job, each worker opens the job's directory itself). */
  void uploadTo(CheckpointStorage storage) {
    this.storage = storage;
  }

  /** The operator id each stage's subtasks acknowledge state for (default: Count-stage<n>). */
  void nameOperators(java.util.function.IntFunction<String> byStage) {
    this.operatorOfStage = byStage;
  }

  /** A subtask that will not acknowledge (stuck, or its upload is slow). */
  synchronized void silence(TaskId task) {
    silenced.add(task);
  }

  /** Runs a subtask that was not deployed through {@link #deploy} (checkpoint tests). */
  synchronized void host(TaskId task, TaskListener listener) {
    subtasks.put(task, listener);
  }

  /** Runs {@code action} inside every deploy, before the subtask counts as deployed. */
  void duringDeploy(Runnable action) {
    this.duringDeploy = action;
  }

  /** Deployments that {@code fail} accepts fail at once, as if user code threw in setup. */
  void failDeploymentsWhere(Predicate<TaskDeployment> fail) {
    this.failOnDeploy = fail;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String exchangeAddress() {
    return "localhost:0";
  }

  @Override
  public void deploy(TaskDeployment deployment, TaskListener listener) {
    duringDeploy.run();
    deployed.add(deployment);
    synchronized (this) {
      subtasks.put(deployment.taskId(), listener);
    }
    if (failOnDeploy.test(deployment)) {
      listener.taskFailed(
          deployment.taskId(),
          new IllegalStateException("user code failed in " + deployment.taskId()),
          new SubtaskSummary(new MetricsContainerStepMap(), Map.of()));
    }
  }

  /** Ends every running subtask of {@code attempt} normally. */
  void finishAll(int attempt) {
    for (TaskId task : running(attempt).keySet()) {
      finish(task);
    }
  }

  /** Ends one running subtask normally; it no longer runs here. */
  void finish(TaskId task) {
    finish(task, new SubtaskSummary(new MetricsContainerStepMap(), Map.of()));
  }

  /** Fails one running subtask with {@code cause}, as user code throwing does. */
  void fail(TaskId task, Throwable cause) {
    TaskListener listener;
    synchronized (this) {
      listener = subtasks.remove(task);
    }
    listener.taskFailed(task, cause, new SubtaskSummary(new MetricsContainerStepMap(), Map.of()));
  }

  void finish(TaskId task, SubtaskSummary summary) {
    TaskListener listener;
    synchronized (this) {
      listener = subtasks.remove(task);
    }
    listener.taskFinished(task, summary);
  }

  synchronized Map<TaskId, TaskListener> running(int attempt) {
    Map<TaskId, TaskListener> result = new LinkedHashMap<>();
    subtasks.forEach(
        (task, listener) -> {
          if (task.attempt() == attempt) {
            result.put(task, listener);
          }
        });
    return result;
  }

  @Override
  public void cancelJob(String jobId) {
    cancelAttempt(jobId, -1);
  }

  /** Interrupts the attempt's subtasks: each reports a failure, as a cancelled subtask does. */
  @Override
  public void cancelAttempt(String jobId, int attempt) {
    cancelledAttempts.add(attempt);
    Map<TaskId, TaskListener> victims = new LinkedHashMap<>();
    synchronized (this) {
      subtasks.forEach(
          (task, listener) -> {
            if (attempt == -1 || task.attempt() == attempt) {
              victims.put(task, listener);
            }
          });
      subtasks.keySet().removeAll(victims.keySet());
    }
    victims.forEach(
        (task, listener) ->
            listener.taskFailed(
                task,
                new InterruptedException("cancelled"),
                new SubtaskSummary(new MetricsContainerStepMap(), Map.of())));
  }

  @Override
  public void triggerCheckpoint(TriggerCheckpoint trigger) {
    List<Map.Entry<TaskId, TaskListener>> acknowledging = new ArrayList<>();
    synchronized (this) {
      for (Map.Entry<TaskId, TaskListener> e : subtasks.entrySet()) {
        if (e.getKey().attempt() == trigger.getAttempt() && !silenced.contains(e.getKey())) {
          acknowledging.add(Map.entry(e.getKey(), e.getValue()));
        }
      }
    }
    for (Map.Entry<TaskId, TaskListener> e : acknowledging) {
      e.getValue().checkpointAcknowledged(e.getKey(), snapshot(e.getKey(), trigger));
    }
  }

  private AcknowledgeCheckpoint snapshot(TaskId task, TriggerCheckpoint trigger) {
    String operator = operatorOfStage.apply(task.stage());
    try {
      Path dir =
          localDirectory.resolve(
              name + "-" + task.stage() + "-" + task.subtask() + "-" + trigger.getCheckpointId());
      Files.createDirectories(dir);
      Files.write(
          dir.resolve("state.bin"),
          ("state of " + task + " at " + trigger.getCheckpointId())
              .getBytes(StandardCharsets.UTF_8));
      UploadResult upload =
          storage
              .uploader(new OperatorSubtask(operator, task.subtask()))
              .upload(trigger.getCheckpointId(), dir, StateFormat.HEAP_SNAPSHOT);
      long stateBytes = 0;
      for (var file : upload.handle().getFilesList()) {
        stateBytes += file.getSizeBytes();
      }
      return AcknowledgeCheckpoint.newBuilder()
          .setJobId(trigger.getJobId())
          .setAttempt(trigger.getAttempt())
          .setStage(task.stage())
          .setSubtask(task.subtask())
          .setCheckpointId(trigger.getCheckpointId())
          .addOperators(
              SubtaskState.newBuilder()
                  .setOperatorId(operator)
                  .setSubtaskIndex(task.subtask())
                  .setKeyGroups(
                      KeyGroupRange.newBuilder()
                          .setStart(task.subtask() * 64)
                          .setEnd(task.subtask() * 64 + 64))
                  .setKeyedState(upload.handle())
                  .addEntries(
                      NamedBytes.newBuilder()
                          .setName("position-" + task.subtask())
                          .setValue(ByteString.copyFromUtf8("at " + trigger.getCheckpointId()))))
          .setUploadedBytes(upload.uploadedBytes())
          .setStateBytes(stateBytes)
          // Made-up durations, different per subtask: stage 1, subtask 1 has the longest.
          .setSyncDurationMillis(syncMillis(task))
          .setAsyncDurationMillis(10 * syncMillis(task))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The synchronous part this worker reports for {@code task}; the upload reports 10 times it. */
  static long syncMillis(TaskId task) {
    return 10L * (task.stage() + 1) + task.subtask();
  }

  @Override
  public void checkpointOutcome(CheckpointOutcome outcome) {
    outcomes.add(outcome);
  }
}
