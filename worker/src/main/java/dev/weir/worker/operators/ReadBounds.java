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
 *
 * <p>What a reader used of its bounds is part of its split's checkpointed position ({@link
 * #recordsRead}, {@link #millisRead}); a restored reader {@link #resume}s with it, so a restart
 * does not read a split's share again.
 */
final class ReadBounds {
  private static final long NOT_STARTED = -1;

  private final long[] quota;
  private final long[] read;
  private final long[] startedMillis;
  private final long[] millisBefore;
  private final long[] deadlineMillis;
  private final boolean[] reached;
  private final long readTimeMillis;

  /** For the readers of {@code splitIndexes}, among {@code splitCount} splits of the plan's source. */
  ReadBounds(UnboundedReadPlan plan, List<Integer> splitIndexes, int splitCount) {
    int n = splitIndexes.size();
    quota = new long[n];
    read = new long[n];
    startedMillis = new long[n];
    millisBefore = new long[n];
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
      startedMillis[r] = NOT_STARTED;
      deadlineMillis[r] = Long.MAX_VALUE;
    }
  }

  /**
   * Reader {@code r} is restored from a checkpoint in which it had emitted {@code recordsRead}
   * records over {@code millisRead} milliseconds; call before it {@link #started}.
   */
  void resume(int r, long recordsRead, long millisRead) {
    read[r] = recordsRead;
    millisBefore[r] = millisRead;
  }

  /** Reader {@code r} starts now. */
  void started(int r, long nowMillis) {
    startedMillis[r] = nowMillis;
    if (readTimeMillis != Long.MAX_VALUE) {
      deadlineMillis[r] = nowMillis + Math.max(0, readTimeMillis - millisBefore[r]);
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

  /** Records reader {@code r} emitted, those before a restore included. */
  long recordsRead(int r) {
    return read[r];
  }

  /** Milliseconds reader {@code r} has been read until {@code nowMillis}, before a restore too. */
  long millisRead(int r, long nowMillis) {
    if (startedMillis[r] == NOT_STARTED) {
      return millisBefore[r];
    }
    return millisBefore[r] + Math.max(0, nowMillis - startedMillis[r]);
  }
}
