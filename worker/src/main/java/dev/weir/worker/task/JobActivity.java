package dev.weir.worker.task;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the events a job's subtasks have sent and the events they have finished handling, so a
 * TestStream can wait until everything before its next watermark or processing-time advance has
 * been processed, as Beam's TestStream semantics require. The counts are shared through this JVM,
 * so a job on a test clock must keep all its subtasks in one process (the embedded cluster).
 */
public final class JobActivity {
  private static final Map<String, JobActivity> JOBS = new ConcurrentHashMap<>();

  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong handled = new AtomicLong();

  private JobActivity() {}

  /** The counts of {@code jobId}, created on first use. */
  public static JobActivity of(String jobId) {
    return JOBS.computeIfAbsent(jobId, id -> new JobActivity());
  }

  /** Forgets {@code jobId}; called when the job has ended. */
  public static void release(String jobId) {
    JOBS.remove(jobId);
  }

  void sent(long events) {
    sent.addAndGet(events);
  }

  void handled(long events) {
    handled.addAndGet(events);
  }

  /** True when every event sent so far has been handled by its receiver. */
  boolean quiescent() {
    // Read handled first: an event is counted as sent before it can be handled.
    long h = handled.get();
    return sent.get() == h;
  }
}
