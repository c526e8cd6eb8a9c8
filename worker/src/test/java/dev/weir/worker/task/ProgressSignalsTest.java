package dev.weir.worker.task;

import static org.junit.Assert.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.Test;

/** A subtask's idle time, on a hand-moved clock. */
public class ProgressSignalsTest {
  private static final long MS = 1_000_000;

  @Test
  public void idleTimeAddsUpTheWaitsIncludingTheCurrentOne() {
    AtomicLong now = new AtomicLong(1_000 * MS);
    ProgressSignals signals = new ProgressSignals(now::get);
    now.addAndGet(100 * MS);
    signals.waiting();
    now.addAndGet(300 * MS);
    signals.working();
    now.addAndGet(50 * MS);
    // A second waiting() while already waiting does not restart the wait.
    signals.waiting();
    now.addAndGet(20 * MS);
    signals.waiting();
    now.addAndGet(30 * MS);
    assertEquals(500, signals.elapsedMillis());
    assertEquals(350, signals.idleMillis());
    signals.working();
    signals.working();
    now.addAndGet(100 * MS);
    assertEquals(600, signals.elapsedMillis());
    assertEquals(350, signals.idleMillis());
  }
}
