package dev.weir.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Wall times of repeated runs, in nanoseconds: best, median and worst. */
final class Timings {
  private final List<Long> nanos = new ArrayList<>();

  void add(long elapsedNanos) {
    nanos.add(elapsedNanos);
  }

  int count() {
    return nanos.size();
  }

  long bestNanos() {
    return Collections.min(nanos);
  }

  long worstNanos() {
    return Collections.max(nanos);
  }

  /** The middle value; the mean of the two middle values for an even count. */
  long medianNanos() {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Elements per second at the given wall time. */
  static double perSecond(long elements, long nanos) {
    return elements / (nanos / 1e9);
  }
}
