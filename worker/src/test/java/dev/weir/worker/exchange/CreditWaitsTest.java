package dev.weir.worker.exchange;

import static org.junit.Assert.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.Test;

/** The time a recording thread waits for credit is counted. */
public class CreditWaitsTest {

  @Test
  public void aRecordingThreadsWaitIsCounted() throws Exception {
    ReentrantLock lock = new ReentrantLock();
    Condition credit = lock.newCondition();
    AtomicReference<CreditWaits.Recorder> recorder = new AtomicReference<>();
    Thread sender =
        new Thread(
            () -> {
              recorder.set(CreditWaits.recordOnThisThread());
              lock.lock();
              try {
                CreditWaits.await(credit);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                lock.unlock();
                CreditWaits.stopRecording();
              }
            });
    sender.start();
    long deadline = System.currentTimeMillis() + 60_000;
    while (sender.getState() != Thread.State.WAITING) {
      assertTrue("the sender never waited", System.currentTimeMillis() < deadline);
      Thread.sleep(1);
    }
    // It waits already, so its wait lasts at least this long.
    Thread.sleep(50);
    lock.lock();
    try {
      credit.signal();
    } finally {
      lock.unlock();
    }
    sender.join(60_000);
    assertTrue(recorder.get().millis() + " ms", recorder.get().millis() >= 50);
  }
}
