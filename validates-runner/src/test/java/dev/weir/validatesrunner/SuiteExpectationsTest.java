package dev.weir.validatesrunner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.Test;

public class SuiteExpectationsTest {

  private static List<TestResult> passing(int validatesRunner, int needsRunnerOnly) {
    List<TestResult> results = new ArrayList<>();
    for (int i = 0; i < validatesRunner; i++) {
      results.add(result("a.VrTest#t" + i, true));
    }
    for (int i = 0; i < needsRunnerOnly; i++) {
      results.add(result("a.NrTest#t" + i, false));
    }
    return results;
  }

  private static TestResult result(String id, boolean validatesRunner) {
    return new TestResult(
        TestId.parse(id), Outcome.PASSED, 1, "", 0, Set.of(), false, validatesRunner);
  }

  @Test
  public void fullRunWithEnoughTestsHasNoProblem() {
    assertEquals(List.of(), SuiteExpectations.fullRun(3, 5).problems(passing(3, 2)));
  }

  @Test
  public void fullRunWithFewerValidatesRunnerTestsThanTheMinimumIsAProblem() {
    List<String> problems = SuiteExpectations.fullRun(4, 5).problems(passing(3, 2));
    assertEquals(1, problems.size());
    assertThat(problems.get(0), containsString("3 distinct ValidatesRunner tests ran"));
    assertThat(problems.get(0), containsString("at least 4"));
  }

  @Test
  public void fullRunWithFewerNeedsRunnerTestsThanTheMinimumIsAProblem() {
    List<String> problems = SuiteExpectations.fullRun(3, 6).problems(passing(3, 2));
    assertEquals(1, problems.size());
    assertThat(problems.get(0), containsString("5 distinct NeedsRunner tests ran"));
    assertThat(problems.get(0), containsString("at least 6"));
  }

  @Test
  public void suiteThatRanNoTestIsAProblemEvenWithoutMinimum() {
    List<String> full = SuiteExpectations.fullRun(0, 0).problems(List.of());
    assertEquals(1, full.size());
    assertThat(full.get(0), containsString("no test of the suite ran"));
    List<String> subset = SuiteExpectations.subset("NoSuchTest*").problems(List.of());
    assertEquals(1, subset.size());
    assertThat(subset.get(0), containsString("NoSuchTest*"));
  }

  @Test
  public void subsetRunIsNotHeldToTheMinimum() {
    assertEquals(List.of(), SuiteExpectations.subset("ParDoTest*").problems(passing(1, 0)));
  }

  @Test
  public void runnerNotOnTheClasspathIsAProblem() {
    List<String> problems =
        SuiteExpectations.fullRun(1, 1).withMissingRunner("TestNoSuchRunner").problems(passing(1, 1));
    assertEquals(1, problems.size());
    assertThat(problems.get(0), containsString("'TestNoSuchRunner'"));
    assertThat(problems.get(0), containsString("not on the classpath"));
  }

  @Test
  public void problemsFailTheCheck() {
    List<TestResult> results = passing(1, 0);
    ConformanceCheck check =
        ConformanceCheck.of(
            ConformanceCheckTest.byId(results), KnownFailures.none(), SuiteExpectations.fullRun(2, 2));
    assertEquals(List.of(), check.regressions());
    assertEquals(2, check.problems().size());
    assertTrue(check.failsBuild());
  }
}
