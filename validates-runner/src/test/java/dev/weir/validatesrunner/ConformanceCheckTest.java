package dev.weir.validatesrunner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

public class ConformanceCheckTest {

  private static TestResult result(String id, Outcome outcome) {
    return new TestResult(TestId.parse(id), outcome, 1, "msg " + id, 0, Set.of(), false, true);
  }

  private static Map<TestId, TestResult> results(TestResult... results) {
    return byId(List.of(results));
  }

  static Map<TestId, TestResult> byId(List<TestResult> results) {
    Map<TestId, TestResult> byId = new LinkedHashMap<>();
    for (TestResult r : results) {
      byId.put(r.id(), r);
    }
    return byId;
  }

  @Test
  public void unlistedFailureIsRegression() {
    ConformanceCheck check =
        ConformanceCheck.of(
            results(result("a.T#ok", Outcome.PASSED), result("a.T#bad", Outcome.FAILED)),
            KnownFailures.none(),
            SuiteExpectations.subset("*"));
    assertEquals(1, check.regressions().size());
    assertEquals(TestId.parse("a.T#bad"), check.regressions().get(0).id());
    assertTrue(check.failsBuild());
  }

  @Test
  public void listedFailureIsAccepted() {
    ConformanceCheck check =
        ConformanceCheck.of(
            results(result("a.T#bad", Outcome.FAILED), result("a.T#skip", Outcome.SKIPPED)),
            KnownFailures.parse(List.of("a.T#bad\tnot yet"), "list"),
            SuiteExpectations.subset("*"));
    assertEquals(List.of(), check.regressions());
    assertEquals(1, check.knownFailing().size());
    assertFalse(check.failsBuild());
  }

  @Test
  public void listedTestThatPassesFailsTheBuildUnlessFlaky() {
    ConformanceCheck check =
        ConformanceCheck.of(
            results(result("a.T#fixed", Outcome.PASSED), result("a.T#flaky", Outcome.PASSED)),
            KnownFailures.parse(List.of("a.T#fixed\tnot yet", "a.T#flaky\tflaky: races"), "list"),
            SuiteExpectations.subset("*"));
    assertEquals(1, check.nowPassing().size());
    assertEquals(TestId.parse("a.T#fixed"), check.nowPassing().get(0).id());
    assertEquals(1, check.flakyPassing().size());
    assertTrue(check.failsBuild());
  }

  @Test
  public void listedTestThatDidNotRunIsOnlyReported() {
    ConformanceCheck check =
        ConformanceCheck.of(
            results(result("a.T#ok", Outcome.PASSED)),
            KnownFailures.parse(List.of("a.T#gone\trenamed?"), "list"),
            SuiteExpectations.subset("*"));
    assertEquals(1, check.notRun().size());
    assertFalse(check.failsBuild());
  }

  @Test
  public void listedTestThatWasSkippedIsNeitherPassingNorMissing() {
    ConformanceCheck check =
        ConformanceCheck.of(
            results(result("a.T#skip", Outcome.SKIPPED)),
            KnownFailures.parse(List.of("a.T#skip\tnot yet"), "list"),
            SuiteExpectations.subset("*"));
    assertEquals(List.of(), check.nowPassing());
    assertEquals(List.of(), check.notRun());
    assertFalse(check.failsBuild());
  }
}
