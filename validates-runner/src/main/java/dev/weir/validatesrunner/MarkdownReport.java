package dev.weir.validatesrunner;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Writes the human-readable conformance report. */
public final class MarkdownReport {

  private final StringBuilder out = new StringBuilder();

  /** The report's heading unless {@code --title} gives another. */
  public static final String DEFAULT_TITLE =
      "Conformance: Beam's NeedsRunner group, ValidatesRunner included";

  /** The whole report as Markdown. */
  public static String render(
      String options,
      SuiteSummary summary,
      Collection<TestResult> results,
      ConformanceCheck check,
      String knownFailuresSource) {
    return render(DEFAULT_TITLE, options, summary, results, check, knownFailuresSource);
  }

  /** The whole report as Markdown, under {@code title}. */
  public static String render(
      String title,
      String options,
      SuiteSummary summary,
      Collection<TestResult> results,
      ConformanceCheck check,
      String knownFailuresSource) {
    MarkdownReport report = new MarkdownReport();
    report.header(title, options, summary, knownFailuresSource);
    report.check(check);
    report.table("Per category", "category", summary.byCategory());
    report.table("Per test class", "class", summary.byClass());
    report.failures(results, check);
    report.skips(results);
    return report.out.toString();
  }

  private void header(
      String title, String options, SuiteSummary summary, String knownFailuresSource) {
    line("# " + title);
    line("");
    line("Pipeline options: `" + options + "`  ");
    line("Known failures: `" + knownFailuresSource + "`");
    line("");
    line("Surefire ran " + summary.runs() + " test runs: " + summary.all().total()
        + " distinct tests (class#method, parameters and nested-class reruns counted once).");
    line("");
    line("| tests | total | passed | failed | skipped | pass rate |");
    line("|---|---:|---:|---:|---:|---:|");
    row("ValidatesRunner subset", summary.validatesRunner());
    row("whole NeedsRunner group", summary.all());
    row("bounded input only (whole group)", summary.boundedOnly());
    row("unbounded input (whole group)", summary.unbounded());
    line("");
    line("ValidatesRunner tests are those every runner should pass; the rest of the NeedsRunner "
        + "group are Beam's own IO and transform tests (TextIO, FileIO, Wait, Watch, schemas, ...). "
        + "\"Unbounded input\": the test or its class declares UsesTestStream (any variant), "
        + "UsesUnboundedPCollections or UsesUnboundedSplittableParDo.");
    line("");
  }

  private void check(ConformanceCheck check) {
    line("## Check against the known failures");
    line("");
    line("- regressions (failed, not listed): **" + check.regressions().size() + "**");
    line("- listed and now passing (remove from the list): **" + check.nowPassing().size() + "**");
    line("- listed as flaky and passing: " + check.flakyPassing().size());
    line("- listed and still failing: " + check.knownFailing().size());
    line("- listed but not run: " + check.notRun().size());
    line("");
    if (!check.problems().isEmpty()) {
      line("### This run cannot be judged");
      line("");
      for (String problem : check.problems()) {
        line("- **" + problem + "**");
      }
      line("");
    }
    if (!check.regressions().isEmpty()) {
      line("### Regressions");
      line("");
      for (TestResult result : check.regressions()) {
        line("- `" + result.id() + "`: " + inline(result.message()));
      }
      line("");
    }
    entries("Now passing: remove from the list", check.nowPassing());
    entries("Listed but not run", check.notRun());
  }

  private void entries(String title, List<KnownFailures.Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    line("### " + title);
    line("");
    for (KnownFailures.Entry entry : entries) {
      line("- `" + entry.id() + "` (" + entry.where() + ": " + inline(entry.reason()) + ")");
    }
    line("");
  }

  private void table(String title, String what, Map<String, SuiteSummary.GroupTallies> tallies) {
    line("## " + title);
    line("");
    line("| " + what + " | VR total | VR passed | VR failed | VR skipped"
        + " | all total | all passed | all failed | all skipped | all pass rate |");
    line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    tallies.forEach(
        (name, both) -> {
          Tally vr = both.validatesRunner();
          Tally all = both.all();
          line("| `" + name + "` | " + vr.total() + " | " + vr.passed() + " | " + vr.failed()
              + " | " + vr.skipped() + " | " + all.total() + " | " + all.passed() + " | "
              + all.failed() + " | " + all.skipped() + " | " + all.passRate() + " |");
        });
    line("");
    line("VR: the ValidatesRunner subset; all: the whole NeedsRunner group.");
    line("");
  }

  private void failures(Collection<TestResult> results, ConformanceCheck check) {
    List<TestResult> failed =
        results.stream()
            .filter(r -> r.outcome() == Outcome.FAILED)
            .sorted((a, b) -> a.id().compareTo(b.id()))
            .toList();
    line("## Failing tests (" + failed.size() + ")");
    line("");
    if (failed.isEmpty()) {
      line("None.");
      line("");
      return;
    }
    line("| test | group | input | listed | categories | first line of the failure |");
    line("|---|---|---|---|---|---|");
    for (TestResult result : failed) {
      boolean listed = check.knownFailing().contains(result);
      line("| `" + result.id().simpleClassName() + "#" + result.id().method() + "` | "
          + (result.validatesRunner() ? "ValidatesRunner" : "NeedsRunner") + " | "
          + (result.unbounded() ? "unbounded" : "bounded") + " | "
          + (listed ? "known" : "**new**") + " | "
          + String.join(", ", TestResult.sortedCategories(result)) + " | "
          + inline(result.message()) + " |");
    }
    line("");
  }

  private void skips(Collection<TestResult> results) {
    List<TestResult> skipped =
        results.stream()
            .filter(r -> r.outcome() == Outcome.SKIPPED)
            .sorted((a, b) -> a.id().compareTo(b.id()))
            .toList();
    if (skipped.isEmpty()) {
      return;
    }
    line("## Skipped tests (" + skipped.size() + ")");
    line("");
    for (TestResult result : skipped) {
      line("- `" + result.id() + "`" + (result.message().isEmpty() ? "" : ": " + inline(result.message())));
    }
    line("");
  }

  private void row(String name, Tally tally) {
    line("| " + name + " | " + tally.total() + " | " + tally.passed() + " | " + tally.failed()
        + " | " + tally.skipped() + " | " + tally.passRate() + " |");
  }

  /** Keeps a message on one table cell: no pipes, no backticks breaking the code spans. */
  static String inline(String text) {
    String oneLine = text.replace('\n', ' ').replace('\r', ' ').replace("|", "\\|");
    return oneLine.length() > 300 ? oneLine.substring(0, 297) + "..." : oneLine;
  }

  private void line(String text) {
    out.append(text).append('\n');
  }
}
