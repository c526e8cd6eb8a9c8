package dev.weir.runner;

import dev.weir.worker.task.TaskId;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Turns the time-use totals subtasks report (elapsed, idle and backpressured milliseconds since
 * they started) into milliseconds per second over the latest window of at least {@value
 * #MIN_WINDOW_MILLIS} ms between two readings; the first reading gives the rates over the
 * subtask's whole life. Busy is the rest of the window. Thread-safe.
 */
final class TimeUseRates {
  static final long MIN_WINDOW_MILLIS = 1000;

  /** Milliseconds per second; each 0..1000, summing to 1000. */
  record Rates(long busy, long idle, long backpressured) {}

  private record Reading(long elapsed, long idle, long backpressured, Rates rates) {}

  private final Map<TaskId, Reading> readings = new HashMap<>();

  /** The rates of {@code task} given its totals now; null if it reports no time use. */
  synchronized Rates of(TaskId task, long elapsed, long idle, long backpressured) {
    if (elapsed < 0) {
      return null;
    }
    Reading last = readings.get(task);
    Rates rates;
    if (last == null || elapsed < last.elapsed()) {
      rates = rates(elapsed, idle, backpressured);
    } else if (elapsed - last.elapsed() < MIN_WINDOW_MILLIS) {
      return last.rates();
    } else {
      rates =
          rates(elapsed - last.elapsed(), idle - last.idle(), backpressured - last.backpressured());
    }
    readings.put(task, new Reading(elapsed, idle, backpressured, rates));
    return rates;
  }

  static Rates rates(long window, long idle, long backpressured) {
    if (window <= 0) {
      return new Rates(1000, 0, 0);
    }
    long idlePerSecond = clamp(idle * 1000 / window);
    long backpressuredPerSecond = clamp(backpressured * 1000 / window);
    if (idlePerSecond + backpressuredPerSecond > 1000) {
      // Rounding of the reported milliseconds; the waits do not overlap.
      backpressuredPerSecond = 1000 - idlePerSecond;
    }
    return new Rates(
        1000 - idlePerSecond - backpressuredPerSecond, idlePerSecond, backpressuredPerSecond);
  }

  private static long clamp(long perSecond) {
    return Math.max(0, Math.min(1000, perSecond));
  }

  /** Forgets the subtasks of jobs not in {@code jobIds}, so ended jobs leave nothing behind. */
  synchronized void retainJobs(Set<String> jobIds) {
    readings.keySet().removeIf(task -> !jobIds.contains(task.jobId()));
  }

  /**
   * Forgets the subtasks of job {@code jobId}'s attempts before {@code attempt}: each restart
   * would otherwise leave its subtasks' readings behind for as long as the job is known.
   */
  synchronized void retainAttempt(String jobId, int attempt) {
    readings.keySet().removeIf(task -> task.jobId().equals(jobId) && task.attempt() < attempt);
  }

  /** How many subtasks' readings are kept. */
  synchronized int size() {
    return readings.size();
  }
}
