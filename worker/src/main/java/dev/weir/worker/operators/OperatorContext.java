package dev.weir.worker.operators;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.sdk.options.PipelineOptions;
import org.joda.time.Instant;

/** What an operator may use of the subtask it runs in. */
public interface OperatorContext {

  PipelineOptions pipelineOptions();

  int subtaskIndex();

  int parallelism();

  int maxParallelism();

  /** Key groups this subtask owns. */
  KeyGroupRange keyGroupRange();

  /** Output tag id to the receiver of that output. */
  Map<String, ElementReceiver> outputs();

  /**
   * A fresh state backend for this operator's keyed state and timers, whose timers are in windows
   * of {@code windowCoder}; the operator closes it.
   */
  KeyedStateBackend createStateBackend(Coder<? extends BoundedWindow> windowCoder);

  /**
   * Where the operator may write scratch files that no checkpoint covers (values of a bounded
   * input spilled to disk, say): the state directory of a worker with RocksDB state, else the
   * JVM's temporary directory. The operator deletes what it writes there.
   */
  default Path scratchDirectory() {
    return Paths.get(System.getProperty("java.io.tmpdir"));
  }

  /** The metrics container of this operator's step. */
  MetricsContainerImpl metricsContainer();

  /**
   * The metrics container of another step whose code this operator runs (a portable stage's fused
   * transforms, which the SDK harness reports apart). Without a job's step map, this step's.
   */
  default MetricsContainerImpl metricsContainer(String stepName) {
    return metricsContainer();
  }

  /** Processing time; tests inject their own. */
  Supplier<Instant> processingTime();

  /**
   * Synchronized processing time: the processing time that every upstream subtask has reached,
   * with everything it produced before then delivered here; at most {@link #processingTime}.
   * Continuation triggers (downstream of a processing-time trigger) wait for it, so they fire only
   * after the upstream panes of the same processing time have arrived.
   */
  Supplier<Instant> synchronizedProcessingTime();

  /**
   * True when the job takes checkpoints: effects that must wait for a checkpoint (finalizing reader
   * marks, {@code @RequiresStableInput}, bundle finalizers) then wait for {@link
   * StageOperator#notifyCheckpointComplete}; without checkpoints they happen after the bundle.
   */
  default boolean checkpointingEnabled() {
    return false;
  }

  /**
   * The named entries this operator returned from {@link StageOperator#snapshotState} in the
   * checkpoint the subtask restores from, of all the operator's old subtasks; empty on a fresh
   * start. The keyed state backend of {@link #createStateBackend} is restored already.
   */
  default Map<String, byte[]> restoredEntries() {
    return Map.of();
  }
}
