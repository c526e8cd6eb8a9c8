package dev.weir.portability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The jobs a job server knows, bounded: a job that ended, or was prepared and never run (STOPPED), is
 * forgotten {@code retention} after its last change, and the table never holds more than {@code
 * capacity} jobs (the oldest forgettable ones go first; when every job is running or young, a new
 * one is refused). A long-lived server thus keeps a bounded amount of pipelines and results.
 */
final class JobTable {
  private final Map<String, PortableJob> jobs = new LinkedHashMap<>();
  private final long retentionMillis;
  private final int capacity;
  private final LongSupplier clock;
  private final Consumer<PortableJob> forgotten;

  JobTable(Duration retention, int capacity, LongSupplier clock) {
    this(retention, capacity, clock, job -> {});
  }

  /** {@code forgotten} is called with each job the table drops, under its lock. */
  JobTable(
      Duration retention, int capacity, LongSupplier clock, Consumer<PortableJob> forgotten) {
    if (capacity < 1) {
      throw new IllegalArgumentException("A job table needs room for a job, got " + capacity);
    }
    this.retentionMillis = retention.toMillis();
    this.capacity = capacity;
    this.clock = clock;
    this.forgotten = forgotten;
  }

  long now() {
    return clock.getAsLong();
  }

  /**
   * Adds {@code job}, first forgetting expired jobs and, if still full, the oldest that ended.
   *
   * @throws IllegalStateException if the table is full of running jobs
   */
  synchronized void add(PortableJob job) {
    expire();
    if (jobs.size() >= capacity) {
      jobs.values().stream()
          .filter(PortableJob::isTerminal)
          .min(Comparator.comparingLong(PortableJob::stateMillis))
          .ifPresent(
              oldest -> {
                jobs.remove(oldest.id());
                forgotten.accept(oldest);
              });
    }
    if (jobs.size() >= capacity) {
      throw new IllegalStateException(
          "The job server holds " + jobs.size() + " jobs that have not ended, its limit");
    }
    jobs.put(job.id(), job);
  }

  synchronized @Nullable PortableJob get(String id) {
    expire();
    return jobs.get(id);
  }

  synchronized List<PortableJob> all() {
    expire();
    return new ArrayList<>(jobs.values());
  }

  private void expire() {
    long now = clock.getAsLong();
    jobs.values()
        .removeIf(
            job -> {
              boolean expired =
                  (job.isTerminal() || job.state() == JobApi.JobState.Enum.STOPPED)
                      && now - job.stateMillis() >= retentionMillis;
              if (expired) {
                forgotten.accept(job);
              }
              return expired;
            });
  }
}
