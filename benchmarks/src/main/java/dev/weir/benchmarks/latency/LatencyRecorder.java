package dev.weir.benchmarks.latency;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Collects latencies in milliseconds in a fixed histogram (1 ms buckets up to 60 s), shared by the
 * sink's instances in this JVM: the embedded cluster runs them here.
 */
final class LatencyRecorder {
  private static final int MAX_MILLIS = 60_000;
  private static final long[] BUCKETS = new long[MAX_MILLIS + 1];
  private static final AtomicLong MAX = new AtomicLong();
  private static final AtomicBoolean RECORDING = new AtomicBoolean();

  private LatencyRecorder() {}

  static void start() {
    synchronized (BUCKETS) {
      Arrays.fill(BUCKETS, 0);
    }
    MAX.set(0);
    RECORDING.set(true);
  }

  static void stop() {
    RECORDING.set(false);
  }

  static void record(long millis) {
    if (!RECORDING.get()) {
      return;
    }
    long clamped = Math.max(0, Math.min(MAX_MILLIS, millis));
    synchronized (BUCKETS) {
      BUCKETS[(int) clamped]++;
    }
    MAX.accumulateAndGet(millis, Math::max);
  }

  /** Count, p50, p99 and max of what was recorded between start and stop. */
  static Summary summary() {
    synchronized (BUCKETS) {
      long count = 0;
      for (long b : BUCKETS) {
        count += b;
      }
      return new Summary(count, percentile(count, 0.50), percentile(count, 0.99), MAX.get());
    }
  }

  private static long percentile(long count, double fraction) {
    long rank = (long) Math.ceil(count * fraction);
    long seen = 0;
    for (int i = 0; i < BUCKETS.length; i++) {
      seen += BUCKETS[i];
      if (seen >= rank && rank > 0) {
        return i;
      }
    }
    return -1;
  }

  /** Latency figures of one run, in milliseconds. */
  static final class Summary {
    final long count;
    final long p50;
    final long p99;
    final long max;

    Summary(long count, long p50, long p99, long max) {
      this.count = count;
      this.p50 = p50;
      this.p99 = p99;
      this.max = max;
    }
  }
}
