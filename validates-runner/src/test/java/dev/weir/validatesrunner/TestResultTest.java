package dev.weir.validatesrunner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.Test;

public class TestResultTest {

  private static final String BOUNDED = "dev.weir.validatesrunner.SampleSuite$Bounded";
  private static final String STREAMING = "dev.weir.validatesrunner.SampleSuite$Streaming";

  private static Map<TestId, TestResult> sample() throws Exception {
    return TestResult.combine(
        new SurefireReportReader().readDirectory(SurefireReportReaderTest.sampleDirectory()),
        new CategoryResolver(TestResultTest.class.getClassLoader()));
  }

  @Test
  public void countsEachClassAndMethodOnce() throws Exception {
    Map<TestId, TestResult> results = sample();
    assertEquals(6, results.size());
    TestResult pass = results.get(new TestId(BOUNDED, "testPass"));
    assertEquals(2, pass.runs());
    assertEquals(Outcome.PASSED, pass.outcome());
  }

  @Test
  public void aTestFailsIfAnyOfItsRunsFailed() throws Exception {
    TestResult params = sample().get(new TestId(BOUNDED, "testParams"));
    assertEquals(Outcome.FAILED, params.outcome());
    assertEquals("param 1 broke", params.message());
  }

  @Test
  public void categoriesComeFromMethodClassAndEnclosingClass() throws Exception {
    Map<TestId, TestResult> results = sample();
    assertEquals(
        Set.of("UsesSideInputs", "UsesStatefulParDo"),
        results.get(new TestId(BOUNDED, "testPass")).categories());
    assertEquals(
        Set.of("UsesSideInputs", "UsesTestStreamWithProcessingTime"),
        results.get(new TestId(STREAMING, "testStream")).categories());
  }

  @Test
  public void unboundedFollowsCategoryHierarchy() throws Exception {
    Map<TestId, TestResult> results = sample();
    assertTrue(results.get(new TestId(STREAMING, "testStream")).unbounded());
    assertFalse(results.get(new TestId(BOUNDED, "testFail")).unbounded());
  }

  @Test
  public void validatesRunnerSubsetFollowsCategoryHierarchy() throws Exception {
    Map<TestId, TestResult> results = sample();
    assertTrue(results.get(new TestId(BOUNDED, "testPass")).validatesRunner());
    assertTrue(results.get(new TestId(BOUNDED, "testSkip")).validatesRunner());
    assertFalse(results.get(new TestId(BOUNDED, "testParams")).validatesRunner());
    assertFalse(results.get(new TestId(BOUNDED, "testFlaky")).validatesRunner());
  }

  @Test
  public void unknownClassHasNoCategories() {
    CategoryResolver resolver = new CategoryResolver(getClass().getClassLoader());
    assertEquals(Set.of(), resolver.declaredCategories(new TestId("no.such.Class", "m")));
    assertFalse(resolver.usesUnboundedInput(new TestId("no.such.Class", "m")));
    assertFalse(resolver.isValidatesRunner(new TestId("no.such.Class", "m")));
  }

  @Test
  public void summaryCountsBoundedAndUnboundedApart() throws Exception {
    Map<TestId, TestResult> results = sample();
    SuiteSummary summary = SuiteSummary.of(8, results.values());
    assertEquals(2, summary.all().passed()); // testPass and testFlaky
    assertEquals(3, summary.all().failed());
    assertEquals(1, summary.all().skipped());
    assertEquals(1, summary.unbounded().failed());
    assertEquals(2, summary.boundedOnly().failed());
    assertEquals(3, summary.byCategory().get("UsesSideInputs").all().failed());
    assertEquals(
        "NeedsRunner group (ValidatesRunner included): 2 of 6 distinct tests passed"
            + " (3 failed, 1 skipped)",
        summary.needsRunnerLine());
    // testPass, testFail, testStream and testSkip are ValidatesRunner tests.
    assertEquals(
        "ValidatesRunner conformance: 1 of 4 distinct tests passed (2 failed, 1 skipped)",
        summary.validatesRunnerLine());
    assertEquals(3, summary.byClass().get(BOUNDED).validatesRunner().total());
    assertEquals(5, summary.byClass().get(BOUNDED).all().total());
  }
}
