package dev.weir.benchmarks.nexmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The markdown table of one mode: a row per query with each runner's events/s, the second
 * runner's rate over the first's, the result counts, a flag where the counts differ, and each
 * runner's CPU seconds (comparable where wall-clock rates are not, on a shared machine); then the
 * geometric mean of the ratios over the queries both runners completed.
 */
final class SideBySideTable {

  /** Marks a row whose runners reported different result counts. */
  static final String COUNTS_DIFFER = "counts differ";

  private final ExecutionMode mode;
  private final long events;
  private final List<ComparedRunner> runners;
  private final Map<Integer, Map<ComparedRunner, RunOutcome>> rows = new LinkedHashMap<>();

  SideBySideTable(ExecutionMode mode, long events, List<ComparedRunner> runners) {
    if (runners.size() < 2) {
      throw new IllegalArgumentException("A side-by-side table needs two runners, got " + runners);
    }
    this.mode = mode;
    this.events = events;
    this.runners = List.copyOf(runners);
  }

  void add(int query, ComparedRunner runner, RunOutcome outcome) {
    rows.computeIfAbsent(query, q -> new LinkedHashMap<>()).put(runner, outcome);
  }

  /** The ratio of the second runner's events/s over the first's, or NaN if either failed. */
  double ratio(int query) {
    Map<ComparedRunner, RunOutcome> row = rows.get(query);
    RunOutcome base = row.get(runners.get(0));
    RunOutcome other = row.get(runners.get(1));
    if (base == null || other == null || !base.succeeded() || !other.succeeded()
        || base.eventsPerSecond() <= 0 || other.eventsPerSecond() <= 0) {
      return Double.NaN;
    }
    return other.eventsPerSecond() / base.eventsPerSecond();
  }

  /** True when at least two runners completed the query and their result counts differ. */
  boolean countsDiffer(int query) {
    return rows.get(query).values().stream()
            .filter(RunOutcome::succeeded)
            .map(RunOutcome::results)
            .distinct()
            .count()
        > 1;
  }

  double geometricMeanRatio() {
    double logSum = 0;
    int n = 0;
    for (int query : rows.keySet()) {
      double ratio = ratio(query);
      if (!Double.isNaN(ratio)) {
        logSum += Math.log(ratio);
        n++;
      }
    }
    return n == 0 ? Double.NaN : Math.exp(logSum / n);
  }

  String toMarkdown() {
    String first = runners.get(0).runnerName();
    String second = runners.get(1).runnerName();
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            Locale.ROOT, "Nexmark, %s, %,d events (events/s, higher is better)", mode.label(), events));
    lines.add("");
    List<String> header = new ArrayList<>();
    header.add("query");
    for (ComparedRunner runner : runners) {
      header.add(runner.runnerName() + " events/s");
    }
    header.add(second + " / " + first);
    header.add(
        "results " + runners.stream().map(ComparedRunner::runnerName).collect(Collectors.joining(" / ")));
    header.add("");
    header.add(
        "CPU s "
            + runners.stream().map(ComparedRunner::runnerName).collect(Collectors.joining(" / ")));
    lines.add(row(header));
    List<String> alignment = new ArrayList<>();
    alignment.add("---");
    for (int i = 0; i < runners.size() + 2; i++) {
      alignment.add("---:");
    }
    alignment.add("---");
    alignment.add("---:");
    lines.add(row(alignment));
    List<String> failures = new ArrayList<>();
    for (Map.Entry<Integer, Map<ComparedRunner, RunOutcome>> entry : rows.entrySet()) {
      int query = entry.getKey();
      List<String> cells = new ArrayList<>();
      cells.add("q" + query);
      List<String> counts = new ArrayList<>();
      List<String> cpu = new ArrayList<>();
      for (ComparedRunner runner : runners) {
        RunOutcome outcome = entry.getValue().get(runner);
        if (outcome == null) {
          cells.add("");
          counts.add("");
          cpu.add("");
        } else if (outcome.succeeded()) {
          cells.add(String.format(Locale.ROOT, "%,.0f", outcome.eventsPerSecond()));
          counts.add(String.format(Locale.ROOT, "%,d", outcome.results()));
          cpu.add(
              Double.isNaN(outcome.cpuSeconds())
                  ? "?"
                  : String.format(Locale.ROOT, "%.0f", outcome.cpuSeconds()));
        } else {
          cells.add("failed");
          counts.add("-");
          cpu.add("-");
          failures.add("q" + query + " on " + runner.runnerName() + ": " + outcome.failure());
        }
      }
      double ratio = ratio(query);
      cells.add(Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.2f", ratio));
      cells.add(String.join(" / ", counts));
      cells.add(countsDiffer(query) ? COUNTS_DIFFER : "");
      cells.add(String.join(" / ", cpu));
      lines.add(row(cells));
    }
    List<String> mean = new ArrayList<>();
    mean.add("geometric mean");
    for (int i = 0; i < runners.size(); i++) {
      mean.add("");
    }
    double geometricMean = geometricMeanRatio();
    mean.add(Double.isNaN(geometricMean) ? "" : String.format(Locale.ROOT, "%.2f", geometricMean));
    mean.add("");
    mean.add("");
    mean.add("");
    lines.add(row(mean));
    if (!failures.isEmpty()) {
      lines.add("");
      for (String failure : failures) {
        lines.add("- " + failure);
      }
    }
    return String.join("\n", lines) + "\n";
  }

  private static String row(List<String> cells) {
    return "| " + String.join(" | ", cells) + " |";
  }
}
