package dev.weir.worker.operators;

import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * One fused operator in a subtask. A subtask calls these from its one thread: {@link #open} once,
 * then elements, side-input data and time advances in stream order, {@link #finishBundle} at the
 * end of each bundle, and {@link #close} once at the end, also after a failure.
 */
public interface StageOperator {

  void open(OperatorContext context) throws Exception;

  /** For operators without inputs: emit what they produce, moving time through {@code control}. */
  default void start(SourceControl control) {}

  void processElement(WindowedValue<?> element);

  /** An element of a side input this operator reads. */
  default void processSideInput(PCollectionView<?> view, WindowedValue<?> element) {}

  /** The watermark of a side input's edge advanced to {@code watermark}. */
  default void advanceSideInputWatermark(PCollectionView<?> view, Instant watermark) {}

  /** The input watermark advanced: fire the event-time timers it passed. */
  default void advanceInputWatermark(Instant watermark) {}

  /** Processing time advanced: fire the processing-time timers due. */
  default void advanceProcessingTime(Instant now) {}

  /**
   * Synchronized processing time (see {@link OperatorContext#synchronizedProcessingTime})
   * advanced: fire the synchronized-processing-time timers due.
   */
  default void advanceSynchronizedProcessingTime(Instant time) {}

  /** The earliest pending processing-time timer, or null if none. */
  default @Nullable Instant nextProcessingTimer() {
    return null;
  }

  /** The earliest pending synchronized-processing-time timer, or null if none. */
  default @Nullable Instant nextSynchronizedProcessingTimer() {
    return null;
  }

  /** Ends the current bundle, if one is open. */
  default void finishBundle() {}

  /** The earliest timestamp this operator may still output; holds the output watermark. */
  default Instant watermarkHold() {
    return BoundedWindow.TIMESTAMP_MAX_VALUE;
  }

  /**
   * Checkpoint {@code checkpointId} is being taken, after {@link #finishBundle}: returns what this
   * operator holds outside its keyed state backend that a restore needs (a source's position, for
   * instance), as named coder bytes. Names must be unique across the operator's subtasks (one per
   * source split, say), because a restore with another parallelism hands an operator the entries
   * of all its old subtasks ({@link OperatorContext#restoredEntries}). The keyed state backend is
   * snapshotted by the subtask, not here.
   */
  default java.util.Map<String, byte[]> snapshotState(long checkpointId) {
    return java.util.Map.of();
  }

  /**
   * Checkpoint {@code checkpointId} completed: every subtask's snapshot of it is stored. Effects
   * that must not happen before their input is durable happen now: finalizing reader marks,
   * releasing stable-input buffers, running bundle finalizers. Called on the subtask's thread,
   * between bundles.
   */
  default void notifyCheckpointComplete(long checkpointId) {}

  /**
   * Checkpoint {@code checkpointId} was aborted (declined, timed out): nothing of it will be
   * restored. Called on the subtask's thread, between bundles.
   */
  default void notifyCheckpointAborted(long checkpointId) {}

  /** Releases everything; called once, also after a failure. */
  /**
   * How much of its bounded input's work this operator has done, if it reads a bounded source (a
   * splittable DoFn); null otherwise. Called from other threads, for progress reports.
   */
  default @Nullable SourceWork sourceWork() {
    return null;
  }

  default void close() {}
}
