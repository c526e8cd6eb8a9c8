package dev.weir.worker.exchange;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

public class RecentAbortsTest {

  @Test
  public void keepsOnlyTheNewestAbortsUpToItsCapacity() {
    RecentAborts aborts = new RecentAborts(3);
    for (String id : List.of("a", "b", "c", "d")) {
      aborts.add(id);
    }
    assertEquals(3, aborts.size());
    assertFalse(aborts.contains("a"));
    assertTrue(aborts.contains("b"));
    assertTrue(aborts.contains("d"));
  }

  @Test
  public void abortingAnIdAgainMakesItTheNewest() {
    RecentAborts aborts = new RecentAborts(2);
    aborts.add("a");
    aborts.add("b");
    aborts.add("a");
    aborts.add("c");
    assertTrue(aborts.contains("a"));
    assertFalse(aborts.contains("b"));
  }

  @Test
  public void anEndpointThatAbortsManyJobsRemembersABoundedNumberAndStillRefusesTheRecentOnes() {
    try (GrpcDataExchange exchange =
        GrpcDataExchange.start("127.0.0.1", 0, ExchangeConfig.defaults())) {
      int aborted = GrpcDataExchange.ABORTS_REMEMBERED + 500;
      for (int i = 0; i < aborted; i++) {
        exchange.abortJob("job-" + i);
        exchange.abortAttempt("other-" + i, 0);
      }
      assertEquals(2 * GrpcDataExchange.ABORTS_REMEMBERED, exchange.abortsRemembered());

      String newest = "job-" + (aborted - 1);
      ExchangeException refused =
          assertThrows(
              ExchangeException.class,
              () -> exchange.openGate(List.of(new ChannelId(newest, 0, 0, 0))));
      assertThat(refused.getMessage(), containsString(newest + " was aborted"));
      // The oldest abort is forgotten: a job of that id may open channels again.
      exchange.openGate(List.of(new ChannelId("job-0", 0, 0, 0)));
    }
  }
}
