package dev.weir.validatesrunner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Optional;
import org.junit.Test;

public class RunnerOptionsTest {

  @Test
  public void findsRunnerInJsonArray() {
    assertEquals(
        Optional.of("TestWeirRunner"),
        RunnerOptions.runnerName("[\"--parallelism=2\",\"--runner=TestWeirRunner\"]"));
    assertEquals(Optional.empty(), RunnerOptions.runnerName("[]"));
  }

  @Test
  public void runnerMissingFromClasspathIsUnavailable() {
    ClassLoader loader = getClass().getClassLoader();
    assertFalse(RunnerOptions.isAvailable("NoSuchRunner", loader));
    assertFalse(RunnerOptions.isAvailable("dev.weir.runner.NoSuchRunner", loader));
    // Found by class name.
    assertTrue(RunnerOptions.isAvailable("org.apache.beam.sdk.testing.CrashingRunner", loader));
  }
}
