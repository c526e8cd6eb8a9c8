package dev.weir.worker.operators;

import org.joda.time.Instant;

/**
 * What a source operator may do besides emitting elements: move its subtask's output watermark,
 * and, on a test clock, its processing time. Both end the current bundle and travel in-band.
 */
public interface SourceControl {

  void advanceWatermark(Instant watermark);

  void advanceProcessingTime(Instant processingTime);
}
