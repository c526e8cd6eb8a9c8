package dev.weir.worker.task;

import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * What a subtask's thread shows of its progress: written by that thread, read by the
 * coordinator's no-progress check through {@link SubtaskRunner#progress()}.
 */
final class ProgressSignals {
  private volatile long handledEvents;
  private volatile boolean busy = true;
  private volatile @Nullable Instant nextProcessingTimer;

  void eventHandled() {
    handledEvents++;
  }

  /** The thread waits for input or for the clock. */
  void waiting() {
    busy = false;
  }

  /** The thread works again after {@link #waiting()}. */
  void working() {
    busy = true;
  }

  void nextProcessingTimer(@Nullable Instant timer) {
    nextProcessingTimer = timer;
  }

  long handledEvents() {
    return handledEvents;
  }

  boolean busy() {
    return busy;
  }

  @Nullable Instant nextProcessingTimer() {
    return nextProcessingTimer;
  }
}
