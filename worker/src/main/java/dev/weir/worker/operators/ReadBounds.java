package dev.weir.worker.operators;

import dev.weir.translation.UnboundedReadPlan;
import java.util.List;
import org.joda.time.Duration;

/**
 * Where each reader of a bounded read of an unbounded source stops: after its split's share of
 * the records (the total divided evenly over the source's splits, the first splits taking one more
 * where it does not divide, as the SDK divides it) or once it has been read for the read time,
 * counted from its start. Splits of one subtask are read at the same time, so a subtask takes
 * about the read time, however many splits it has. An unbounded read has no bounds.
 */
final class ReadBounds {
  private final long[] quota;
  private final long[] read;
  private final long[] deadlineMillis;
  private final boolean[] reached;
  private final long readTimeMillis;

  /** For the readers of {@code splitIndexes}, among {@code splitCount} splits of the plan's source. */
  ReadBounds(UnboundedReadPlan plan, List<Integer> splitIndexes, int splitCount) {
    int n = splitIndexes.size();
    quota = new long[n];
    read = new long[n];
    deadlineMillis = new long[n];
    reached = new boolean[n];
    Duration readTime = plan.maxReadTime();
    readTimeMillis = readTime == null ? Long.MAX_VALUE : readTime.getMillis();
    long total = plan.maxNumRecords();
    for (int r = 0; r < n; r++) {
      int split = splitIndexes.get(r);
      quota[r] =
          total == Long.MAX_VALUE
              ? Long.MAX_VALUE
              : total / splitCount + (split < total % splitCount ? 1 : 0);
      deadlineMillis[r] = Long.MAX_VALUE;
    }
  }

  /** Reader {@code r} starts now. */
  void started(int r, long nowMillis) {
    if (readTimeMillis != Long.MAX_VALUE) {
      deadlineMillis[r] = nowMillis + readTimeMillis;
    }
  }

  /** Reader {@code r} emitted a record; returns whether it may read another. */
  boolean read(int r) {
    read[r]++;
    if (read[r] >= quota[r]) {
      reached[r] = true;
    }
    return !reached[r];
  }

  /** Whether reader {@code r} is at its bounds and must read no more. */
  boolean reached(int r, long nowMillis) {
    if (!reached[r] && (read[r] >= quota[r] || nowMillis >= deadlineMillis[r])) {
      reached[r] = true;
    }
    return reached[r];
  }
}
