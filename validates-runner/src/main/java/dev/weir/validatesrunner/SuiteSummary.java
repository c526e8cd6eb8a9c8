package dev.weir.validatesrunner;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The numbers of a run: over all distinct tests, bounded-only and unbounded ones apart, per
 * category and per test class.
 */
public record SuiteSummary(
    int runs,
    Tally all,
    Tally boundedOnly,
    Tally unbounded,
    Map<String, Tally> byCategory,
    Map<String, Tally> byClass) {

  public static SuiteSummary of(int runs, Collection<TestResult> results) {
    Tally all = new Tally();
    Tally boundedOnly = new Tally();
    Tally unbounded = new Tally();
    Map<String, Tally> byCategory = new TreeMap<>();
    Map<String, Tally> byClass = new TreeMap<>();
    for (TestResult result : results) {
      all.add(result.outcome());
      (result.unbounded() ? unbounded : boundedOnly).add(result.outcome());
      for (String category : result.categories()) {
        byCategory.computeIfAbsent(category, c -> new Tally()).add(result.outcome());
      }
      if (result.categories().isEmpty()) {
        byCategory.computeIfAbsent("(none besides ValidatesRunner)", c -> new Tally())
            .add(result.outcome());
      }
      byClass.computeIfAbsent(result.id().className(), c -> new Tally()).add(result.outcome());
    }
    return new SuiteSummary(runs, all, boundedOnly, unbounded, byCategory, byClass);
  }

  /**
   * The closing line, one test counted once however often Surefire ran it. Worded so it is not
   * mistaken for a test runner's pass/fail verdict: the known-failures check decides that.
   */
  public String oneLine() {
    return String.format(
        Locale.ROOT,
        "ValidatesRunner conformance: %d of %d distinct tests passed (%d failed, %d skipped)",
        all.passed(),
        all.passed() + all.failed() + all.skipped(),
        all.failed(),
        all.skipped());
  }
}
