package dev.weir.benchmarks;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Timed rounds of two variants of one job, run by run in one JVM so load on the machine hits both
 * alike; which goes first alternates too, so neither always runs right after a GC-heavy one.
 */
final class AlternatingRounds {
  /** One variant: its name in the output and a run that returns its wall nanoseconds. */
  record Variant(String name, LongSupplier timedRun) {}

  private final Variant first;
  private final Variant second;
  private final Timings firstTimes = new Timings();
  private final Timings secondTimes = new Timings();

  AlternatingRounds(Variant first, Variant second) {
    this.first = first;
    this.second = second;
  }

  /** Runs {@code rounds} of each, printing every run's time and rate for {@code elements}. */
  void run(int rounds, long elements) {
    for (int i = 0; i < rounds; i++) {
      List<Variant> order = i % 2 == 0 ? List.of(first, second) : List.of(second, first);
      for (Variant variant : order) {
        long nanos = variant.timedRun().getAsLong();
        (variant == first ? firstTimes : secondTimes).add(nanos);
        System.out.printf(
            "  round %d %s: %,d elements in %.2f s = %,.0f elements/s (result checked)%n",
            i + 1, variant.name(), elements, nanos / 1e9, Timings.perSecond(elements, nanos));
      }
    }
  }

  /** Prints best, median and worst of each, and the ratios second ÷ first as {@code label}. */
  void printSummary(String label) {
    row(first.name(), firstTimes);
    row(second.name(), secondTimes);
    System.out.printf(
        "%s: best %.3f, median %.3f%n",
        label,
        (double) secondTimes.bestNanos() / firstTimes.bestNanos(),
        (double) secondTimes.medianNanos() / firstTimes.medianNanos());
  }

  private static void row(String name, Timings t) {
    System.out.printf(
        "  %-30s best %6.2f s  median %6.2f s  worst %6.2f s%n",
        name, t.bestNanos() / 1e9, t.medianNanos() / 1e9, t.worstNanos() / 1e9);
  }

  /** {@code --rounds=N} taken out of {@code argv} (default {@code defaultRounds}); the rest kept. */
  static int takeRounds(List<String> argv, int defaultRounds) {
    int rounds = defaultRounds;
    for (var it = argv.iterator(); it.hasNext(); ) {
      String arg = it.next();
      if (arg.startsWith("--rounds=")) {
        rounds = Integer.parseInt(arg.substring("--rounds=".length()));
        it.remove();
      }
    }
    return rounds;
  }
}
