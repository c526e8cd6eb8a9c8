package dev.weir.worker.exchange;

import java.util.concurrent.locks.Condition;

/**
 * How long a subtask's thread has waited for output credit: the time it was backpressured. A
 * {@link ChannelWriter} waits through {@link #await} on the sending thread; the subtask's thread
 * {@linkplain #recordOnThisThread records} its own waits, and any thread may read the total. A
 * thread that records nothing (a test's sender) pays one thread-local lookup per wait, and a send
 * that finds credit pays nothing.
 */
public final class CreditWaits {
  private static final ThreadLocal<Recorder> CURRENT = new ThreadLocal<>();

  private CreditWaits() {}

  /** One thread's total wait; written by that thread only, read by any. */
  public static final class Recorder {
    private volatile long nanos;

    /** Milliseconds waited for credit so far. */
    public long millis() {
      return nanos / 1_000_000;
    }
  }

  /** From now on, this thread's waits for credit add up in the returned recorder. */
  public static Recorder recordOnThisThread() {
    Recorder recorder = new Recorder();
    CURRENT.set(recorder);
    return recorder;
  }

  /** This thread stops recording (a pooled thread goes on to other work). */
  public static void stopRecording() {
    CURRENT.remove();
  }

  /** Waits on {@code creditArrived} (its lock held), adding the time to this thread's recorder. */
  static void await(Condition creditArrived) throws InterruptedException {
    long start = System.nanoTime();
    try {
      creditArrived.await();
    } finally {
      Recorder recorder = CURRENT.get();
      if (recorder != null) {
        // Only the recording thread writes its recorder.
        recorder.nanos += System.nanoTime() - start;
      }
    }
  }
}
