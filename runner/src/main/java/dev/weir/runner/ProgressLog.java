package dev.weir.runner;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a running job's {@link JobProgress} every {@code --progressLogSeconds} in the coordinator's
 * log (the client's JVM for the embedded cluster, the coordinator process for {@code
 * --weirMaster}), so a long job can be followed without asking its result.
 */
final class ProgressLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);

  private final String jobId;
  private final Supplier<JobProgress> progress;
  private final ScheduledExecutorService executor;

  ProgressLog(String jobId, long periodMillis, Supplier<JobProgress> progress) {
    this.jobId = jobId;
    this.progress = progress;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "weir-progress-log-" + jobId);
              t.setDaemon(true);
              return t;
            });
    executor.scheduleWithFixedDelay(this::log, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  private void log() {
    try {
      LOG.info("Job {} progress: {}", jobId, progress.get());
    } catch (RuntimeException e) {
      // A log line is never worth ending the schedule.
      LOG.debug("Job {}: cannot read its progress", jobId, e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
