package dev.weir.worker.exchange;

import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes the daemon threads of an exchange's Netty event loops and remembers them, so that {@code
 * close()} can wait until they have really exited: Netty reports an event loop terminated a moment
 * before its thread ends.
 */
final class EventLoopThreads extends DefaultThreadFactory {
  private final List<Thread> threads = new ArrayList<>();

  EventLoopThreads(String poolName) {
    super(poolName, true);
  }

  @Override
  protected Thread newThread(Runnable r, String name) {
    Thread t = super.newThread(r, name);
    synchronized (threads) {
      threads.add(t);
    }
    return t;
  }

  /** Waits for every thread made so far to end, at most until {@code deadlineNanos}. */
  void joinAll(long deadlineNanos) throws InterruptedException {
    List<Thread> made;
    synchronized (threads) {
      made = new ArrayList<>(threads);
    }
    for (Thread t : made) {
      long left = deadlineNanos - System.nanoTime();
      if (left > 0) {
        TimeUnit.NANOSECONDS.timedJoin(t, left);
      }
    }
  }
}
