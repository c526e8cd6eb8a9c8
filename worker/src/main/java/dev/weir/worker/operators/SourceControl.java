package dev.weir.worker.operators;

import org.joda.time.Instant;

/**
 * What a source operator may do besides emitting elements: move its subtask's output watermark,
 * and, on a test clock, its processing time. Both end the current bundle and travel in-band.
 */
public interface SourceControl {

  void advanceWatermark(Instant watermark);

  void advanceProcessingTime(Instant processingTime);

  /**
   * Waits until everything this job's subtasks have sent so far has been handled, so that what
   * the source does next happens after it; only meaningful on a test clock.
   */
  void awaitQuiescence() throws InterruptedException;

  /**
   * Ends the current bundle, sends what it produced and lets processing time move for the
   * operators fused after the source; a source that runs until cancelled calls it regularly.
   */
  void endBundleOfSource() throws InterruptedException;
}
