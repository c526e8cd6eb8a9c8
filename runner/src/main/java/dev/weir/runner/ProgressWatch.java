package dev.weir.runner;

import dev.weir.worker.task.SubtaskProgress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;

/**
 * Fails a job that can make no more progress instead of letting {@code waitUntilFinish()} wait
 * forever: when for {@code timeoutMillis} no subtask has handled or sent anything and none has a
 * processing-time timer that would wake it, the job is stuck, and the message names the stages
 * whose watermark stopped lowest and what each subtask is doing. Workers in this JVM are read
 * directly; worker processes report every {@code --progressReportMillis} (3 s by default), so on
 * a cluster of processes the timeout must be well above that.
 */
final class ProgressWatch implements AutoCloseable {
  private final String jobId;
  /** Where every running subtask of the job is, on every worker a restart may have used. */
  private final Supplier<List<SubtaskProgress>> running;
  private final long timeoutMillis;
  private final Consumer<Throwable> onStuck;
  private final ScheduledExecutorService executor;
  private long lastEvents = -1;
  private long lastChangeNanos = System.nanoTime();

  ProgressWatch(
      String jobId,
      Supplier<List<SubtaskProgress>> running,
      long timeoutMillis,
      Consumer<Throwable> onStuck) {
    this.jobId = jobId;
    this.running = running;
    this.timeoutMillis = timeoutMillis;
    this.onStuck = onStuck;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "weir-progress-" + jobId);
              t.setDaemon(true);
              return t;
            });
    long period = Math.max(10, Math.min(1000, timeoutMillis / 4));
    executor.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  private void check() {
    List<SubtaskProgress> all = new ArrayList<>(running.get());
    long events = 0;
    boolean willWake = false;
    for (SubtaskProgress p : all) {
      events += p.events();
      willWake |= p.nextProcessingTimer() != null;
    }
    long now = System.nanoTime();
    if (events != lastEvents || willWake || all.isEmpty()) {
      lastEvents = events;
      lastChangeNanos = now;
      return;
    }
    if (TimeUnit.NANOSECONDS.toMillis(now - lastChangeNanos) >= timeoutMillis) {
      executor.shutdown();
      onStuck.accept(new IllegalStateException(stuckMessage(all)));
    }
  }

  private String stuckMessage(List<SubtaskProgress> all) {
    // Busy subtasks first (user code that does not return), then by watermark, lowest first.
    all.sort(
        Comparator.comparing((SubtaskProgress p) -> !p.busy())
            .thenComparing(SubtaskProgress::outputWatermark));
    StringBuilder message =
        new StringBuilder(
            "Job "
                + jobId
                + " made no progress for "
                + timeoutMillis / 1000
                + " s and no timer will wake it (--noProgressTimeoutSeconds). ");
    SubtaskProgress lowest = all.get(0);
    if (lowest.busy()) {
      message
          .append("Stage '")
          .append(lowest.stageName())
          .append("' is busy without progress: user code that does not return, or blocked. ");
    } else if (lowest.outputWatermark().isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
      message
          .append("The watermark is stuck at stage '")
          .append(lowest.stageName())
          .append("' (output watermark ")
          .append(lowest.outputWatermark())
          .append("). ");
    }
    message.append("Subtasks:");
    for (SubtaskProgress p : all) {
      message.append("\n  ").append(p);
    }
    return message.toString();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
