package dev.weir.validatesrunner;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What a run of the suite must show before its results mean anything: that tests ran at all,
 * that a full run ran about as many as the test jars hold, and that the runner under test was
 * there. Without this, a run that lost most of the suite (a changed include pattern, a class
 * that no longer loads, a runner that is not on the classpath) would pass the known-failures
 * check with nothing to compare.
 *
 * @param subset Surefire's test filter when only part of the suite ran; empty for a full run
 * @param minValidatesRunnerTests distinct ValidatesRunner tests a full run must have run
 * @param minNeedsRunnerTests distinct tests of the whole NeedsRunner group a full run must have run
 * @param missingRunner the runner the options name when it is not on the classpath, else empty
 */
public record SuiteExpectations(
    String subset, int minValidatesRunnerTests, int minNeedsRunnerTests, String missingRunner) {

  /** The whole suite ran: both minimums apply. */
  public static SuiteExpectations fullRun(int minValidatesRunnerTests, int minNeedsRunnerTests) {
    return new SuiteExpectations("", minValidatesRunnerTests, minNeedsRunnerTests, "");
  }

  /** Only the tests matching {@code filter} ran: no minimum, but at least one test. */
  public static SuiteExpectations subset(String filter) {
    if (filter.isBlank()) {
      throw new IllegalArgumentException("a subset needs a non-empty test filter");
    }
    return new SuiteExpectations(filter, 0, 0, "");
  }

  /** The same expectations, noting that the options' runner could not be found. */
  public SuiteExpectations withMissingRunner(String runner) {
    return new SuiteExpectations(subset, minValidatesRunnerTests, minNeedsRunnerTests, runner);
  }

  public boolean isSubset() {
    return !subset.isEmpty();
  }

  /** Why the run cannot be judged; empty when it can. Each entry is one sentence. */
  public List<String> problems(Collection<TestResult> results) {
    List<String> problems = new ArrayList<>();
    if (!missingRunner.isEmpty()) {
      problems.add(
          "the runner '" + missingRunner + "' named in the options is not on the classpath:"
              + " every test fails before it starts");
    }
    if (results.isEmpty()) {
      problems.add(
          isSubset()
              ? "no test of the suite ran: the filter '" + subset + "' matched none"
              : "no test of the suite ran (no Surefire reports)");
      return problems;
    }
    if (isSubset()) {
      return problems;
    }
    long validatesRunner = results.stream().filter(TestResult::validatesRunner).count();
    if (validatesRunner < minValidatesRunnerTests) {
      problems.add(
          "only " + validatesRunner + " distinct ValidatesRunner tests ran, expected at least "
              + minValidatesRunnerTests + " (weir.vr.minValidatesRunnerTests)");
    }
    if (results.size() < minNeedsRunnerTests) {
      problems.add(
          "only " + results.size() + " distinct NeedsRunner tests ran, expected at least "
              + minNeedsRunnerTests + " (weir.vr.minNeedsRunnerTests)");
    }
    return problems;
  }
}
