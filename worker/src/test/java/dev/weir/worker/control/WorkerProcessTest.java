package dev.weir.worker.control;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

/** The worker main's own arguments, checked before it opens any port or channel. */
public class WorkerProcessTest {
  @Test
  public void slotsThatAreNotAPositiveWholeNumberAreRefusedNamingTheFlag() {
    for (String slots : new String[] {"0", "-2", "two", ""}) {
      IllegalArgumentException thrown =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  WorkerProcess.main(
                      new String[] {
                        "--coordinator=127.0.0.1:1", "--name=w", "--slots=" + slots
                      }));
      assertEquals(
          "--slots must be a whole number, at least 1, got '" + slots + "'",
          thrown.getMessage());
    }
  }

  @Test
  public void aProgressReportPeriodBelow100MillisIsRefusedNamingTheFlag() {
    for (String millis : new String[] {"99", "0", "soon"}) {
      IllegalArgumentException thrown =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  WorkerProcess.main(
                      new String[] {
                        "--coordinator=127.0.0.1:1", "--name=w", "--progressReportMillis=" + millis
                      }));
      assertEquals(
          "--progressReportMillis must be a whole number, at least 100, got '" + millis + "'",
          thrown.getMessage());
    }
  }
}
