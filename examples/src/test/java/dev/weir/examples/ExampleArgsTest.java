package dev.weir.examples;

import static org.junit.Assert.assertEquals;

import dev.weir.runner.TestWeirRunner;
import dev.weir.runner.WeirRunner;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.options.ApplicationNameOptions;
import org.junit.Test;

public class ExampleArgsTest {

  @Test
  public void noRunnerArgumentMeansWeirEvenWithTheDirectRunnerOnTheClassPath() {
    // This module's tests have the DirectRunner on the class path, Beam's own default.
    WordCountOptions options =
        ExampleArgs.parse(new String[] {"--output=/tmp/x"}, WordCountOptions.class);

    assertEquals(WeirRunner.class, options.getRunner());
    assertEquals("/tmp/x", options.getOutput());
  }

  @Test
  public void anExplicitRunnerWins() {
    assertEquals(
        DirectRunner.class,
        ExampleArgs.parse(new String[] {"--runner=DirectRunner"}, WordCountOptions.class)
            .getRunner());
    assertEquals(
        TestWeirRunner.class,
        ExampleArgs.parse(new String[] {"--runner=TestWeirRunner"}, WordCountOptions.class)
            .getRunner());
  }

  @Test
  public void theApplicationIsNamedForTheCaller() {
    assertEquals(
        "ExampleArgsTest",
        ExampleArgs.parse(new String[0], WordCountOptions.class)
            .as(ApplicationNameOptions.class)
            .getAppName());
    assertEquals(
        "mine",
        ExampleArgs.parse(new String[] {"--appName=mine"}, WordCountOptions.class)
            .as(ApplicationNameOptions.class)
            .getAppName());
  }
}
