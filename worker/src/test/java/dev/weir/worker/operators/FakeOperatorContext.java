package dev.weir.worker.operators;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * A subtask for an operator without keyed state: one output, the wall clock, no state backend;
 * checkpoints off and a fresh start unless a test says otherwise.
 */
final class FakeOperatorContext implements OperatorContext {
  private static final int MAX_PARALLELISM = 128;

  private final int subtaskIndex;
  private final int parallelism;
  private final ElementReceiver output;
  private final PipelineOptions options = PipelineOptionsFactory.create();
  private final MetricsContainerImpl metrics = new MetricsContainerImpl("step");
  private boolean checkpointing;
  private Map<String, byte[]> restoredEntries = Map.of();

  FakeOperatorContext(int subtaskIndex, int parallelism, ElementReceiver output) {
    this.subtaskIndex = subtaskIndex;
    this.parallelism = parallelism;
    this.output = output;
  }

  /** The job takes checkpoints. */
  FakeOperatorContext withCheckpointing() {
    checkpointing = true;
    return this;
  }

  /** The subtask restores from a checkpoint whose entries of this operator are {@code entries}. */
  FakeOperatorContext restoredFrom(Map<String, byte[]> entries) {
    restoredEntries = Map.copyOf(entries);
    return this;
  }

  @Override
  public boolean checkpointingEnabled() {
    return checkpointing;
  }

  @Override
  public Map<String, byte[]> restoredEntries() {
    return restoredEntries;
  }

  @Override
  public PipelineOptions pipelineOptions() {
    return options;
  }

  @Override
  public int subtaskIndex() {
    return subtaskIndex;
  }

  @Override
  public int parallelism() {
    return parallelism;
  }

  @Override
  public int maxParallelism() {
    return MAX_PARALLELISM;
  }

  @Override
  public KeyGroupRange keyGroupRange() {
    return KeyGroupRange.forSubtask(subtaskIndex, parallelism, MAX_PARALLELISM);
  }

  @Override
  public Map<String, ElementReceiver> outputs() {
    return Map.of("output", output);
  }

  @Override
  public KeyedStateBackend createStateBackend(Coder<? extends BoundedWindow> windowCoder) {
    throw new UnsupportedOperationException("This fake subtask has no keyed state");
  }

  @Override
  public MetricsContainerImpl metricsContainer() {
    return metrics;
  }

  @Override
  public Supplier<Instant> processingTime() {
    return Instant::now;
  }

  @Override
  public Supplier<Instant> synchronizedProcessingTime() {
    return Instant::now;
  }
}
