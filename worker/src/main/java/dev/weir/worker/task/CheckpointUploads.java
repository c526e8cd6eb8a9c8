package dev.weir.worker.task;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one worker that upload its subtasks' local snapshots, so a subtask goes on
 * processing while its checkpoint is stored. Bounded in threads and in waiting uploads: when
 * storage cannot keep up, a new upload is refused (and its checkpoint declined) rather than local
 * snapshots piling up on disk.
 */
public final class CheckpointUploads implements Executor, AutoCloseable {
  private static final int THREADS = 2;
  private static final int WAITING = 256;

  private final ThreadPoolExecutor pool;

  public CheckpointUploads() {
    AtomicInteger next = new AtomicInteger();
    pool =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(WAITING),
            r -> {
              Thread t = new Thread(r, "weir-checkpoint-upload-" + next.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
  }

  /**
   * Runs {@code upload} on an upload thread.
   *
   * @throws java.util.concurrent.RejectedExecutionException if too many uploads wait, or after
   *     {@link #close}
   */
  @Override
  public void execute(Runnable upload) {
    pool.execute(upload);
  }

  /** Stops taking uploads; those running go on (their subtasks are cancelled or done). */
  @Override
  public void close() {
    pool.shutdown();
  }
}
