package dev.weir.validatesrunner;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Compares the suite's results with the list of known failures.
 *
 * <p>The build fails on a regression (a failure the list does not hold) and on a listed test
 * that now passes, unless its entry is marked flaky: so the list can only shrink, and a fix
 * that makes a test pass is recorded by the same commit. A listed test that did not run (a
 * subset was run, or the test was renamed) is only reported. Before any of that, the run itself
 * must be judgeable ({@link SuiteExpectations}): a run with no tests, too few tests or no
 * runner fails the build too.
 *
 * @param regressions failed, not listed
 * @param nowPassing passed, listed and not marked flaky: remove from the list
 * @param flakyPassing passed, listed as flaky
 * @param knownFailing failed, listed
 * @param notRun listed, not in the results
 * @param problems why the run itself cannot be judged (see {@link SuiteExpectations})
 */
public record ConformanceCheck(
    List<TestResult> regressions,
    List<KnownFailures.Entry> nowPassing,
    List<KnownFailures.Entry> flakyPassing,
    List<TestResult> knownFailing,
    List<KnownFailures.Entry> notRun,
    List<String> problems) {

  public static ConformanceCheck of(
      Map<TestId, TestResult> results, KnownFailures known, SuiteExpectations expectations) {
    List<TestResult> regressions = new ArrayList<>();
    List<TestResult> knownFailing = new ArrayList<>();
    for (TestResult result : sorted(results.values())) {
      if (result.outcome() == Outcome.FAILED) {
        (known.contains(result.id()) ? knownFailing : regressions).add(result);
      }
    }
    List<KnownFailures.Entry> nowPassing = new ArrayList<>();
    List<KnownFailures.Entry> flakyPassing = new ArrayList<>();
    List<KnownFailures.Entry> notRun = new ArrayList<>();
    for (KnownFailures.Entry entry : known.entries().values()) {
      TestResult result = results.get(entry.id());
      if (result == null) {
        notRun.add(entry);
      } else if (result.outcome() == Outcome.PASSED) {
        (entry.flaky() ? flakyPassing : nowPassing).add(entry);
      }
    }
    return new ConformanceCheck(
        regressions,
        nowPassing,
        flakyPassing,
        knownFailing,
        notRun,
        expectations.problems(results.values()));
  }

  /** Whether the build should fail. */
  public boolean failsBuild() {
    return !regressions.isEmpty() || !nowPassing.isEmpty() || !problems.isEmpty();
  }

  private static List<TestResult> sorted(Collection<TestResult> results) {
    return results.stream().sorted((a, b) -> a.id().compareTo(b.id())).toList();
  }
}
