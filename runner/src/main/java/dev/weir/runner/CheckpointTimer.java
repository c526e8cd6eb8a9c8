package dev.weir.runner;

/**
 * The clock and delayed work of a {@link CheckpointCoordinator}: a scheduled thread in a job
 * ({@link #system}), a hand-advanced one in tests, so no test depends on how fast a machine is.
 */
interface CheckpointTimer extends AutoCloseable {

  /** Milliseconds since the epoch. */
  long nowMillis();

  /** Runs {@code task} once, {@code delayMillis} from now, on the timer's thread. */
  void schedule(long delayMillis, Runnable task);

  /** Stops the timer; tasks not yet run never run. */
  @Override
  void close();

  /** A timer on one daemon thread of its own, named for the job. */
  static CheckpointTimer system(String jobId) {
    java.util.concurrent.ScheduledExecutorService executor =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "weir-checkpoints-" + jobId);
              t.setDaemon(true);
              return t;
            });
    return new CheckpointTimer() {
      @Override
      public long nowMillis() {
        return System.currentTimeMillis();
      }

      @Override
      public void schedule(long delayMillis, Runnable task) {
        try {
          executor.schedule(task, delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          // Closed: the job ended, and so did its checkpoints.
        }
      }

      @Override
      public void close() {
        executor.shutdownNow();
      }
    };
  }
}
