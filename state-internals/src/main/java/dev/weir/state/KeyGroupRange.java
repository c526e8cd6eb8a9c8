package dev.weir.state;

import java.io.Serializable;

/**
 * A contiguous range of key groups {@code [start, end)} owned by one subtask. Key groups are the
 * unit in which keyed state is partitioned, snapshotted and handed between workers.
 */
public final class KeyGroupRange implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int start;
  private final int end;

  private KeyGroupRange(int start, int end) {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("Invalid key group range [" + start + ", " + end + ")");
    }
    this.start = start;
    this.end = end;
  }

  /** The range {@code [start, end)}. */
  public static KeyGroupRange of(int start, int end) {
    return new KeyGroupRange(start, end);
  }

  /**
   * The range a subtask owns when {@code maxParallelism} key groups are spread over {@code
   * parallelism} subtasks: subtask {@code i} owns {@code [ceil(i*max/p), ceil((i+1)*max/p))}, the
   * inverse of {@link KeyGroups#subtaskFor(int, int, int)}.
   */
  public static KeyGroupRange forSubtask(int subtask, int parallelism, int maxParallelism) {
    if (parallelism <= 0 || parallelism > maxParallelism || subtask < 0 || subtask >= parallelism) {
      throw new IllegalArgumentException(
          "subtask " + subtask + " of " + parallelism + " with maxParallelism " + maxParallelism);
    }
    int from = (int) (((long) subtask * maxParallelism + parallelism - 1) / parallelism);
    int to = (int) (((long) (subtask + 1) * maxParallelism + parallelism - 1) / parallelism);
    return new KeyGroupRange(from, to);
  }

  public int start() {
    return start;
  }

  /** Exclusive end. */
  public int end() {
    return end;
  }

  public int size() {
    return end - start;
  }

  public boolean contains(int keyGroup) {
    return keyGroup >= start && keyGroup < end;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyGroupRange
        && ((KeyGroupRange) o).start == start
        && ((KeyGroupRange) o).end == end;
  }

  @Override
  public int hashCode() {
    return 31 * start + end;
  }

  @Override
  public String toString() {
    return "KeyGroupRange[" + start + ", " + end + ")";
  }
}
