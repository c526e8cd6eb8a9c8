package dev.weir.worker.task;

import java.util.function.LongSupplier;
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

  // Written by the subtask's thread only, once per data batch; read by progress reports.
  private volatile long recordsIn;
  private volatile long bytesIn;

  /** Nanoseconds of the clock below; injected by tests. */
  private final LongSupplier nanoTime;

  private final long startNanos;

  /** Time spent waiting for input or for the clock, up to the latest {@link #working()}. */
  private volatile long idleNanos;

  /** When the current wait began; meaningful while not busy. */
  private volatile long idleSinceNanos;

  ProgressSignals() {
    this(System::nanoTime);
  }

  ProgressSignals(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.startNanos = nanoTime.getAsLong();
  }

  void eventHandled() {
    handledEvents++;
  }

  /** A batch of {@code records} elements, {@code bytes} encoded, came in on an input channel. */
  void dataIn(int records, int bytes) {
    recordsIn += records;
    bytesIn += bytes;
  }

  long recordsIn() {
    return recordsIn;
  }

  long bytesIn() {
    return bytesIn;
  }

  /** The thread waits for input or for the clock. */
  void waiting() {
    if (busy) {
      idleSinceNanos = nanoTime.getAsLong();
      busy = false;
    }
  }

  /** The thread works again after {@link #waiting()}. */
  void working() {
    if (!busy) {
      idleNanos += nanoTime.getAsLong() - idleSinceNanos;
      busy = true;
    }
  }

  /** Milliseconds since this subtask started. Any thread. */
  long elapsedMillis() {
    return (nanoTime.getAsLong() - startNanos) / 1_000_000;
  }

  /** Milliseconds spent waiting for input or for the clock so far, the current wait included. */
  long idleMillis() {
    // Read busy first: a wait that ends in between is then counted from its recorded total.
    boolean waitingNow = !busy;
    long since = idleSinceNanos;
    long total = idleNanos;
    long current = waitingNow ? Math.max(0, nanoTime.getAsLong() - since) : 0;
    return (total + current) / 1_000_000;
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
