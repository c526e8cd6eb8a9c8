package dev.weir.portability;

import static org.junit.Assert.assertArrayEquals;

import org.junit.Test;

public class WeirJobServerArgumentsTest {
  @Test
  public void aValueGivenAsTheNextArgumentJoinsItsName() {
    assertArrayEquals(
        new String[] {"--port=8099", "--bind=0.0.0.0", "--maxJobs=3"},
        WeirJobServer.joinSeparateValues(
            new String[] {"--port", "8099", "--bind=0.0.0.0", "--maxJobs", "3"}));
  }
}
