package dev.weir.benchmarks;

import java.io.PrintStream;
import java.util.Iterator;
import java.util.Map;

/** Prints the benchmark's figures as plain-text tables. */
final class ResultTable {
  private ResultTable() {}

  static void print(
      PrintStream out,
      BenchmarkOptions options,
      Map<String, Timings> groupByKey,
      Map<String, Timings> empty) {
    long elements = options.getElements();
    out.println();
    out.printf(
        "Bounded GroupByKey: %,d elements over %,d keys; %d timed run(s) per runner after %d"
            + " warm-up(s) of %,d elements; %d cores, max heap %,d MiB%n",
        elements,
        options.getKeys(),
        options.getRuns(),
        options.getWarmupRuns(),
        options.getWarmupElements(),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    out.printf("%-14s %10s %10s %16s %16s%n", "runner", "best s", "median s", "best elem/s", "median elem/s");
    for (Map.Entry<String, Timings> e : groupByKey.entrySet()) {
      Timings t = e.getValue();
      out.printf(
          "%-14s %10.2f %10.2f %,16.0f %,16.0f%n",
          e.getKey(),
          t.bestNanos() / 1e9,
          t.medianNanos() / 1e9,
          Timings.perSecond(elements, t.bestNanos()),
          Timings.perSecond(elements, t.medianNanos()));
    }
    if (groupByKey.size() == 2) {
      Iterator<Map.Entry<String, Timings>> it = groupByKey.entrySet().iterator();
      Map.Entry<String, Timings> first = it.next();
      Map.Entry<String, Timings> second = it.next();
      out.printf(
          "throughput %s / %s: best %.2fx, median %.2fx%n",
          first.getKey(),
          second.getKey(),
          (double) second.getValue().bestNanos() / first.getValue().bestNanos(),
          (double) second.getValue().medianNanos() / first.getValue().medianNanos());
    }
    if (!empty.isEmpty()) {
      out.println();
      out.printf(
          "Empty pipeline (Impulse only), run() to waitUntilFinish(), after 3 warm-ups:%n");
      out.printf("%-14s %6s %10s %10s %10s%n", "runner", "runs", "median ms", "min ms", "max ms");
      for (Map.Entry<String, Timings> e : empty.entrySet()) {
        Timings t = e.getValue();
        out.printf(
            "%-14s %6d %10.1f %10.1f %10.1f%n",
            e.getKey(), t.count(), t.medianNanos() / 1e6, t.bestNanos() / 1e6, t.worstNanos() / 1e6);
      }
    }
    out.flush();
  }
}
