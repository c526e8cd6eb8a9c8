package dev.weir.benchmarks.nexmark;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What one run produced: Nexmark's events/s and result count, or why there are none.
 *
 * @param failure null when the run completed and Nexmark reported no error
 */
record RunOutcome(double eventsPerSecond, long results, @Nullable String failure) {

  static RunOutcome measured(double eventsPerSecond, long results) {
    return new RunOutcome(eventsPerSecond, results, null);
  }

  static RunOutcome failed(String failure) {
    return new RunOutcome(-1, -1, failure);
  }

  boolean succeeded() {
    return failure == null;
  }
}
