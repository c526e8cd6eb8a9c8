package dev.weir.validatesrunner;

import static org.junit.Assert.assertEquals;

import java.util.Optional;
import org.junit.Test;

public class SuiteSkipTest {

  @Test
  public void noFlagSetMeansTheSuiteRan() {
    assertEquals(
        Optional.empty(),
        SuiteSkip.firstSet("weir.vr.skip=false,skipTests=false,maven.test.skip=false"));
  }

  @Test
  public void skipTestsSkipsTheCheck() {
    assertEquals(
        Optional.of("skipTests"),
        SuiteSkip.firstSet("weir.vr.skip=false,skipTests=true,maven.test.skip=false"));
  }

  @Test
  public void mavenTestSkipAndOwnSkipSkipTheCheck() {
    assertEquals(Optional.of("maven.test.skip"), SuiteSkip.firstSet("maven.test.skip=TRUE"));
    assertEquals(Optional.of("weir.vr.skip"), SuiteSkip.firstSet("weir.vr.skip=true"));
  }

  @Test
  public void unresolvedMavenPropertyIsNotSet() {
    assertEquals(Optional.empty(), SuiteSkip.firstSet("skipTests=${skipTests},,"));
  }
}
