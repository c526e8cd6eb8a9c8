package dev.weir.worker.task;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.worker.operators.ElementReceiver;
import dev.weir.worker.operators.OperatorContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/** What one operator of a subtask sees of it: its place in the job, its outputs, state and time. */
final class SubtaskOperatorContext implements OperatorContext {
  private final TaskId taskId;
  private final int parallelism;
  private final int maxParallelism;
  private final PipelineOptions options;
  private final KeyGroupRange keyGroups;
  private final Map<String, ElementReceiver> outputs;
  private final MetricsContainerStepMap metrics;
  private final MetricsContainerImpl container;
  private final String operatorName;
  private final StateBackendFactory backends;
  private final SubtaskTime time;
  private final OperatorBackends created;
  private final RestoredState restored;
  private final boolean checkpointing;

  SubtaskOperatorContext(
      TaskId taskId,
      int parallelism,
      int maxParallelism,
      PipelineOptions options,
      KeyGroupRange keyGroups,
      Map<String, ElementReceiver> outputs,
      MetricsContainerStepMap metrics,
      String operatorName,
      StateBackendFactory backends,
      SubtaskTime time,
      OperatorBackends created,
      RestoredState restored,
      boolean checkpointing) {
    this.taskId = taskId;
    this.parallelism = parallelism;
    this.maxParallelism = maxParallelism;
    this.options = options;
    this.keyGroups = keyGroups;
    this.outputs = outputs;
    this.metrics = metrics;
    this.container = metrics.getContainer(operatorName);
    this.operatorName = operatorName;
    this.backends = backends;
    this.time = time;
    this.created = created;
    this.restored = restored;
    this.checkpointing = checkpointing;
  }

  @Override
  public PipelineOptions pipelineOptions() {
    return options;
  }

  @Override
  public int subtaskIndex() {
    return taskId.subtask();
  }

  @Override
  public int parallelism() {
    return parallelism;
  }

  @Override
  public int maxParallelism() {
    return maxParallelism;
  }

  @Override
  public KeyGroupRange keyGroupRange() {
    return keyGroups;
  }

  @Override
  public Map<String, ElementReceiver> outputs() {
    return outputs;
  }

  @Override
  public KeyedStateBackend createStateBackend(Coder<? extends BoundedWindow> windowCoder) {
    // The operator owns the backend and closes it in close(); the subtask snapshots it.
    KeyedStateBackend backend =
        restored.backend(backends, taskId, operatorName, keyGroups, windowCoder);
    try {
      created.add(operatorName, backend);
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
    return backend;
  }

  @Override
  public Path scratchDirectory() {
    return backends.snapshotParent();
  }

  @Override
  public boolean checkpointingEnabled() {
    return checkpointing;
  }

  @Override
  public Map<String, byte[]> restoredEntries() {
    return restored.entries(operatorName);
  }

  @Override
  public MetricsContainerImpl metricsContainer() {
    return container;
  }

  @Override
  public MetricsContainerImpl metricsContainer(String stepName) {
    return metrics.getContainer(stepName);
  }

  @Override
  public Supplier<Instant> processingTime() {
    return time.operatorProcessingTime();
  }

  @Override
  public Supplier<Instant> synchronizedProcessingTime() {
    return time.operatorSynchronizedProcessingTime();
  }
}
