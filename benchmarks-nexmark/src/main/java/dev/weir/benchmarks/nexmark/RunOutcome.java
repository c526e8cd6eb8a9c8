package dev.weir.benchmarks.nexmark;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What one run produced: Nexmark's events/s and result count, or why there are none.
 *
 * @param cpuSeconds the child JVM's CPU seconds, NaN where the OS does not report them
 * @param failure null when the run completed and Nexmark reported no error
 */
record RunOutcome(
    double eventsPerSecond, long results, double cpuSeconds, @Nullable String failure) {

  static RunOutcome measured(double eventsPerSecond, long results, double cpuSeconds) {
    return new RunOutcome(eventsPerSecond, results, cpuSeconds, null);
  }

  static RunOutcome failed(String failure) {
    return new RunOutcome(-1, -1, Double.NaN, failure);
  }

  boolean succeeded() {
    return failure == null;
  }
}
