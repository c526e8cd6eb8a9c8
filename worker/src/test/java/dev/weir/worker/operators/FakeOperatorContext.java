package dev.weir.worker.operators;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.memory.InMemoryKeyedStateBackend;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A subtask for an operator in a test: one output (tag id "output" unless {@link #withOutputTag}),
 * the wall clock unless {@link #withProcessingTime}, no state backend unless {@link
 * #withHeapStateBackend}, and no checkpoints unless {@link #withCheckpointing}.
 */
final class FakeOperatorContext implements OperatorContext {
  private static final int MAX_PARALLELISM = 128;

  private final int subtaskIndex;
  private final int parallelism;
  private final ElementReceiver output;
  private final PipelineOptions options = PipelineOptionsFactory.create();
  private final MetricsContainerImpl metrics = new MetricsContainerImpl("step");
  private String outputTag = "output";
  private Supplier<Instant> processingTime = Instant::now;
  private boolean checkpointingEnabled;
  private Map<String, byte[]> restoredEntries = Map.of();
  private @Nullable KeyedStateBackend stateBackend;
  private @Nullable Path scratchDirectory;

  FakeOperatorContext(int subtaskIndex, int parallelism, ElementReceiver output) {
    this.subtaskIndex = subtaskIndex;
    this.parallelism = parallelism;
    this.output = output;
  }

  /** The output is the one of tag id {@code tagId} (a ParDo's main output tag, say). */
  FakeOperatorContext withOutputTag(String tagId) {
    this.outputTag = tagId;
    return this;
  }

  FakeOperatorContext withProcessingTime(Supplier<Instant> clock) {
    this.processingTime = clock;
    return this;
  }

  /** The job takes checkpoints: {@link #checkpointingEnabled} is true. */
  FakeOperatorContext withCheckpointing() {
    this.checkpointingEnabled = true;
    return this;
  }

  /** The subtask restores: the entries of every old subtask of the operator. */
  FakeOperatorContext withRestoredEntries(Map<String, byte[]> entries) {
    this.restoredEntries = entries;
    return this;
  }

  /** {@link #createStateBackend} returns {@code backend} (a restored one, say). */
  FakeOperatorContext withStateBackend(KeyedStateBackend backend) {
    this.stateBackend = backend;
    return this;
  }

  /** {@link #createStateBackend} returns a fresh heap backend for this subtask's key groups. */
  FakeOperatorContext withHeapStateBackend() {
    return withStateBackend(new InMemoryKeyedStateBackend(keyGroupRange()));
  }

  /** {@link #scratchDirectory} is {@code directory} (a test's temporary folder, say). */
  FakeOperatorContext withScratchDirectory(Path directory) {
    this.scratchDirectory = directory;
    return this;
  }

  @Override
  public Path scratchDirectory() {
    return scratchDirectory == null ? OperatorContext.super.scratchDirectory() : scratchDirectory;
  }

  @Override
  public boolean checkpointingEnabled() {
    return checkpointingEnabled;
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
    return Map.of(outputTag, output);
  }

  @Override
  public KeyedStateBackend createStateBackend(Coder<? extends BoundedWindow> windowCoder) {
    if (stateBackend == null) {
      throw new UnsupportedOperationException("This fake subtask has no keyed state");
    }
    return stateBackend;
  }

  @Override
  public MetricsContainerImpl metricsContainer() {
    return metrics;
  }

  @Override
  public Supplier<Instant> processingTime() {
    return processingTime;
  }

  @Override
  public Supplier<Instant> synchronizedProcessingTime() {
    return processingTime;
  }
}
