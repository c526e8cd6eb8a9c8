package dev.weir.kafka;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.worker.operators.ElementReceiver;
import dev.weir.worker.operators.OperatorContext;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * The subtask a source operator runs in when a test drives it alone: subtask 0 of 1 unless the test
 * says otherwise, one output, the wall clock, and no keyed state (a source has none); checkpoints
 * off and a fresh start unless the test says otherwise.
 */
final class SourceSubtaskContext implements OperatorContext {
  private static final int MAX_PARALLELISM = 128;

  private final int subtaskIndex;
  private final int parallelism;
  private final ElementReceiver output;
  private final PipelineOptions options = PipelineOptionsFactory.create();
  private final MetricsContainerImpl metrics = new MetricsContainerImpl("read");
  private final boolean checkpointing;
  private final Map<String, byte[]> restoredEntries;

  SourceSubtaskContext(ElementReceiver output) {
    this(0, 1, output, false, Map.of());
  }

  /**
   * A subtask of a job that takes checkpoints if {@code checkpointing}, restoring from {@code
   * restoredEntries} (the operator's entries of a checkpoint) unless they are empty.
   */
  SourceSubtaskContext(
      ElementReceiver output, boolean checkpointing, Map<String, byte[]> restoredEntries) {
    this(0, 1, output, checkpointing, restoredEntries);
  }

  /** Like the one above, for subtask {@code subtaskIndex} of {@code parallelism}. */
  SourceSubtaskContext(
      int subtaskIndex,
      int parallelism,
      ElementReceiver output,
      boolean checkpointing,
      Map<String, byte[]> restoredEntries) {
    this.subtaskIndex = subtaskIndex;
    this.parallelism = parallelism;
    this.output = output;
    this.checkpointing = checkpointing;
    this.restoredEntries = Map.copyOf(restoredEntries);
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
    throw new UnsupportedOperationException("A source subtask has no keyed state");
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
