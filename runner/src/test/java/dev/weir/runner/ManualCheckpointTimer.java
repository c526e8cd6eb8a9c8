package dev.weir.runner;

import java.util.PriorityQueue;

/**
 * A {@link CheckpointTimer} that moves only when a test advances it, running due tasks in order.
 */
final class ManualCheckpointTimer implements CheckpointTimer {
  private record Task(long due, long order, Runnable run) {}

  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(
          (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));
  private long now;
  private long scheduled;
  private boolean closed;

  ManualCheckpointTimer(long startMillis) {
    this.now = startMillis;
  }

  @Override
  public synchronized long nowMillis() {
    return now;
  }

  @Override
  public synchronized void schedule(long delayMillis, Runnable task) {
    if (!closed) {
      tasks.add(new Task(now + delayMillis, scheduled++, task));
    }
  }

  /** Moves the clock {@code millis} ahead, running each task as its time comes (on this thread). */
  void advance(long millis) {
    long target;
    synchronized (this) {
      target = now + millis;
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.due > target || closed) {
          now = target;
          return;
        }
        tasks.poll();
        now = next.due;
      }
      next.run.run();
    }
  }

  /** The tasks not yet run, in no particular order. */
  synchronized java.util.List<Runnable> queued() {
    java.util.List<Runnable> queued = new java.util.ArrayList<>();
    tasks.forEach(t -> queued.add(t.run()));
    return queued;
  }

  @Override
  public synchronized void close() {
    closed = true;
    tasks.clear();
  }
}
