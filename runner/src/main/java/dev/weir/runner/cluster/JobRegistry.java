package dev.weir.runner.cluster;

import dev.weir.runner.JobCoordinator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The jobs a coordinator process knows, bounded: a job that ended is kept for {@code retention}
 * (so its client can still read its state, failure and metrics) and forgotten after, so a
 * long-running coordinator does not hold every job it ever ran. Time is read from an injected
 * clock.
 */
final class JobRegistry {
  private final Duration retention;
  private final LongSupplier nowMillis;
  // By submission order; guarded by this.
  private final Map<String, Entry> jobs = new LinkedHashMap<>();

  private static final class Entry {
    final JobCoordinator job;
    long endedAtMillis = -1;

    Entry(JobCoordinator job) {
      this.job = job;
    }
  }

  JobRegistry(Duration retention, LongSupplier nowMillis) {
    if (retention.isNegative()) {
      throw new IllegalArgumentException("A retention cannot be negative: " + retention);
    }
    this.retention = retention;
    this.nowMillis = nowMillis;
  }

  Duration retention() {
    return retention;
  }

  /**
   * Adds a running job.
   *
   * @throws IllegalArgumentException if a job of this id is known (running or kept after its end)
   */
  synchronized void add(String jobId, JobCoordinator job) {
    forgetExpired();
    if (jobs.containsKey(jobId)) {
      throw new IllegalArgumentException("A job with id " + jobId + " was already submitted");
    }
    jobs.put(jobId, new Entry(job));
  }

  /** The job ended now: it is forgotten once {@code retention} has passed. */
  synchronized void ended(String jobId) {
    Entry entry = jobs.get(jobId);
    if (entry != null && entry.endedAtMillis < 0) {
      entry.endedAtMillis = nowMillis.getAsLong();
    }
  }

  /** The job, or null if there is none of this id or it ended longer than the retention ago. */
  synchronized @Nullable JobCoordinator get(String jobId) {
    forgetExpired();
    Entry entry = jobs.get(jobId);
    return entry == null ? null : entry.job;
  }

  /** Every job still known. */
  synchronized List<JobCoordinator> all() {
    List<JobCoordinator> all = new ArrayList<>();
    for (Entry entry : jobs.values()) {
      all.add(entry.job);
    }
    return all;
  }

  /** The ids of every job still known. */
  synchronized Set<String> ids() {
    return new HashSet<>(jobs.keySet());
  }

  synchronized int size() {
    return jobs.size();
  }

  /** Drops the jobs that ended longer than the retention ago. */
  synchronized void forgetExpired() {
    long now = nowMillis.getAsLong();
    for (Iterator<Entry> it = jobs.values().iterator(); it.hasNext(); ) {
      Entry entry = it.next();
      if (entry.endedAtMillis >= 0 && now - entry.endedAtMillis >= retention.toMillis()) {
        it.remove();
      }
    }
  }
}
