package dev.weir.runner;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;

/**
 * The checkpoints of a job that have ended, newest {@code capacity} of them: a streaming job
 * checkpointing every second for a month ends millions, and {@link
 * WeirPipelineResult#checkpoints()} should not keep them all. Counts and the newest completed id
 * cover the whole run.
 *
 * <p>Not thread-safe; the {@link CheckpointCoordinator} guards it.
 */
final class CheckpointHistory {
  /** Enough for every test and for a dashboard; about 100 KB. */
  static final int DEFAULT_CAPACITY = 1000;

  private final int capacity;
  private final Deque<CheckpointStats> newest = new ArrayDeque<>();
  private long completed;
  private long aborted;
  private long latestCompleted = -1;

  CheckpointHistory(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
    }
    this.capacity = capacity;
  }

  void add(CheckpointStats checkpoint) {
    if (newest.size() == capacity) {
      newest.removeFirst();
    }
    newest.addLast(checkpoint);
    if (checkpoint.status() == CheckpointStats.Status.COMPLETED) {
      completed++;
      latestCompleted = checkpoint.id();
    } else {
      aborted++;
    }
  }

  /** The newest checkpoints that ended, oldest first. */
  List<CheckpointStats> newest() {
    return List.copyOf(newest);
  }

  long completedCount() {
    return completed;
  }

  long abortedCount() {
    return aborted;
  }

  OptionalLong latestCompleted() {
    return latestCompleted < 0 ? OptionalLong.empty() : OptionalLong.of(latestCompleted);
  }
}
