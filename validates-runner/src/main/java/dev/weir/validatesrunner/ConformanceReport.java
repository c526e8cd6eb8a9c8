package dev.weir.validatesrunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the suite's Surefire reports, writes {@code <out>.md} and {@code <out>.tsv}, and fails
 * (throws, which fails the Maven build under exec:java) when {@link ConformanceCheck} says so.
 *
 * <p>Arguments: {@code --reports=DIR --known-failures=FILE[,FILE...] --out=PATH_WITHOUT_EXTENSION
 * --options=JSON [--timeouts=DIR] [--skipped-by=name=value,...] [--subset=FILTER]
 * [--min-validates-runner-tests=N] [--min-needs-runner-tests=N] [--title=TEXT]} (the title heads
 * the Markdown report; another suite reusing this report names itself there). The suite's classes must be on
 * the classpath (Maven's test scope) to map tests to their categories.
 *
 * <p>When a flag of {@code --skipped-by} is true the suite did not run: nothing is written,
 * printed or judged. Otherwise the run must be judgeable ({@link SuiteExpectations}): some test
 * ran, a full run (empty {@code --subset}) ran at least the minimum numbers of tests, and the
 * runner the options name is on the classpath.
 */
public final class ConformanceReport {

  private ConformanceReport() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> arguments = parse(args);
    if (SuiteSkip.firstSet(arguments.getOrDefault("skipped-by", "")).isPresent()) {
      return;
    }
    Path reports = Path.of(required(arguments, "reports"));
    // One list, or several separated by commas (a run held to the plain list and its own).
    String knownFiles = required(arguments, "known-failures");
    Path out = Path.of(required(arguments, "out"));
    String options = arguments.getOrDefault("options", "");
    Path timeouts =
        Path.of(arguments.getOrDefault("timeouts", reports.resolveSibling("test-timeouts").toString()));

    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    List<TestRun> runs = new SurefireReportReader().readDirectory(reports);
    Map<TestId, TestResult> results =
        markTimeouts(TestResult.combine(runs, new CategoryResolver(loader)), timeouts);
    KnownFailures known =
        KnownFailures.readAll(
            Arrays.stream(knownFiles.split(",")).map(String::strip).map(Path::of).toList());
    ConformanceCheck check = ConformanceCheck.of(results, known, expectations(arguments, loader));
    SuiteSummary summary = SuiteSummary.of(runs.size(), results.values());

    Files.createDirectories(out.toAbsolutePath().getParent());
    Path markdown = out.resolveSibling(out.getFileName() + ".md");
    Path tsv = out.resolveSibling(out.getFileName() + ".tsv");
    Files.writeString(
        markdown,
        MarkdownReport.render(
            arguments.getOrDefault("title", MarkdownReport.DEFAULT_TITLE),
            options,
            summary,
            results.values(),
            check,
            knownFiles),
        StandardCharsets.UTF_8);
    Files.writeString(tsv, TsvReport.render(results.values()), StandardCharsets.UTF_8);

    print(check, summary, markdown);
    if (check.failsBuild()) {
      List<String> reasons = new ArrayList<>(check.problems());
      if (!check.regressions().isEmpty() || !check.nowPassing().isEmpty()) {
        reasons.add(
            check.regressions().size() + " regression(s), " + check.nowPassing().size()
                + " listed test(s) now passing");
      }
      throw new IllegalStateException(
          "Conformance check failed: " + String.join("; ", reasons) + "; see " + markdown);
    }
  }

  /** What the run must show, from the arguments and the options' runner. */
  static SuiteExpectations expectations(Map<String, String> arguments, ClassLoader loader) {
    String subset = arguments.getOrDefault("subset", "").strip();
    SuiteExpectations expectations =
        subset.isEmpty()
            ? SuiteExpectations.fullRun(
                Integer.parseInt(arguments.getOrDefault("min-validates-runner-tests", "0")),
                Integer.parseInt(arguments.getOrDefault("min-needs-runner-tests", "0")))
            : SuiteExpectations.subset(subset);
    Optional<String> runner = RunnerOptions.runnerName(arguments.getOrDefault("options", ""));
    if (runner.isPresent() && !RunnerOptions.isAvailable(runner.get(), loader)) {
      expectations = expectations.withMissingRunner(runner.get());
    }
    return expectations;
  }

  /** Prefixes the message of each test the watchdog stopped, so that the report says so. */
  static Map<TestId, TestResult> markTimeouts(Map<TestId, TestResult> results, Path dir)
      throws IOException {
    Path file = dir.resolve("timed-out.tsv");
    if (!Files.exists(file)) {
      return results;
    }
    Map<TestId, TestResult> marked = new HashMap<>(results);
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] parts = line.split("\t");
      if (parts.length < 3) {
        continue;
      }
      TestId id = TestId.ofReported(parts[0], parts[1]);
      TestResult result = marked.get(id);
      if (result != null) {
        marked.put(id, result.withMessagePrefix("[timed out after " + parts[2] + " s] "));
      }
    }
    return marked;
  }

  private static void print(ConformanceCheck check, SuiteSummary summary, Path markdown) {
    List<String> lines = new ArrayList<>();
    check.problems().forEach(p -> lines.add("CANNOT JUDGE THIS RUN: " + p + "."));
    if (!check.regressions().isEmpty()) {
      lines.add("REGRESSIONS: " + check.regressions().size()
          + " failed test(s) not in the known-failures list:");
      check.regressions().forEach(r -> lines.add("  " + r.id() + "  --  " + r.message()));
    }
    if (!check.nowPassing().isEmpty()) {
      lines.add("NOW PASSES, REMOVE FROM THE KNOWN-FAILURES LIST (" + check.nowPassing().size() + "):");
      check.nowPassing().forEach(e -> lines.add("  " + e.id() + "  (" + e.where() + ")"));
    }
    if (!check.flakyPassing().isEmpty()) {
      lines.add("Listed as flaky, passed this time: " + check.flakyPassing().size());
    }
    if (!check.notRun().isEmpty()) {
      lines.add("Listed in known failures but not run: " + check.notRun().size());
      check.notRun().forEach(e -> lines.add("  " + e.id()));
    }
    lines.add("Known failures still failing: " + check.knownFailing().size());
    lines.add("Bounded-only tests: " + summary.boundedOnly().passed() + " passed, "
        + summary.boundedOnly().failed() + " failed, " + summary.boundedOnly().skipped()
        + " skipped; unbounded-input tests: " + summary.unbounded().passed() + " passed, "
        + summary.unbounded().failed() + " failed, " + summary.unbounded().skipped() + " skipped");
    lines.add("Report: " + markdown);
    lines.add(summary.needsRunnerLine());
    lines.add(summary.validatesRunnerLine());
    lines.forEach(System.out::println);
    System.out.flush();
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> parsed = new HashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("expected --name=value, got: " + arg);
      }
      int eq = arg.indexOf('=');
      parsed.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    return parsed;
  }

  private static String required(Map<String, String> arguments, String name) {
    String value = arguments.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("missing --" + name + "=...");
    }
    return value;
  }
}
