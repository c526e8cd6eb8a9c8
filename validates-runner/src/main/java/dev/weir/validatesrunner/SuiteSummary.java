package dev.weir.validatesrunner;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The numbers of a run: over all distinct tests of the NeedsRunner group and over its
 * ValidatesRunner subset, bounded-only and unbounded ones apart, per category and per test class.
 */
public record SuiteSummary(
    int runs,
    Tally all,
    Tally validatesRunner,
    Tally boundedOnly,
    Tally unbounded,
    Map<String, GroupTallies> byCategory,
    Map<String, GroupTallies> byClass) {

  /** A row of the per-category and per-class tables: the whole group and its ValidatesRunner part. */
  public record GroupTallies(Tally all, Tally validatesRunner) {
    GroupTallies() {
      this(new Tally(), new Tally());
    }

    void add(TestResult result) {
      all.add(result.outcome());
      if (result.validatesRunner()) {
        validatesRunner.add(result.outcome());
      }
    }
  }

  /** Label of the tests that declare no category besides ValidatesRunner or NeedsRunner. */
  static final String NO_OTHER_CATEGORY = "(no other category)";

  public static SuiteSummary of(int runs, Collection<TestResult> results) {
    Tally all = new Tally();
    Tally validatesRunner = new Tally();
    Tally boundedOnly = new Tally();
    Tally unbounded = new Tally();
    Map<String, GroupTallies> byCategory = new TreeMap<>();
    Map<String, GroupTallies> byClass = new TreeMap<>();
    for (TestResult result : results) {
      all.add(result.outcome());
      if (result.validatesRunner()) {
        validatesRunner.add(result.outcome());
      }
      (result.unbounded() ? unbounded : boundedOnly).add(result.outcome());
      for (String category : result.categories()) {
        byCategory.computeIfAbsent(category, c -> new GroupTallies()).add(result);
      }
      if (result.categories().isEmpty()) {
        byCategory.computeIfAbsent(NO_OTHER_CATEGORY, c -> new GroupTallies()).add(result);
      }
      byClass.computeIfAbsent(result.id().className(), c -> new GroupTallies()).add(result);
    }
    return new SuiteSummary(
        runs, all, validatesRunner, boundedOnly, unbounded, byCategory, byClass);
  }

  /**
   * The closing line for the ValidatesRunner subset, one test counted once however often
   * Surefire ran it. Worded so it is not mistaken for a test runner's pass/fail verdict: the
   * known-failures check decides that.
   */
  public String validatesRunnerLine() {
    return line("ValidatesRunner conformance", validatesRunner);
  }

  /** The same for the whole NeedsRunner group, Beam's IO and transform tests included. */
  public String needsRunnerLine() {
    return line("NeedsRunner group (ValidatesRunner included)", all);
  }

  private static String line(String label, Tally tally) {
    return String.format(
        Locale.ROOT,
        "%s: %d of %d distinct tests passed (%d failed, %d skipped)",
        label,
        tally.passed(),
        tally.total(),
        tally.failed(),
        tally.skipped());
  }
}
