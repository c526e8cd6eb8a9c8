package dev.weir.worker.control;

import dev.weir.worker.control.v1.CoordinatorGrpc;
import dev.weir.worker.control.v1.WorkerProgress;
import dev.weir.worker.task.SubtaskProgress;
import dev.weir.worker.task.WorkerNode;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the coordinator, every {@code periodMillis}, where each subtask running on this worker is
 * and what it has counted so far: the coordinator shows a running job's metrics from these
 * reports and runs its no-progress check on them. Nothing is sent while no subtask runs. On its own
 * thread, so a slow coordinator never delays the heartbeat.
 */
final class ProgressReporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

  private final WorkerNode node;
  private final ControlChannel coordinator;
  private final String incarnation;
  private final long periodMillis;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "weir-worker-progress");
            t.setDaemon(true);
            return t;
          });

  ProgressReporter(
      WorkerNode node, ControlChannel coordinator, String incarnation, long periodMillis) {
    this.node = node;
    this.coordinator = coordinator;
    this.incarnation = incarnation;
    this.periodMillis = periodMillis;
  }

  void start() {
    executor.scheduleWithFixedDelay(this::report, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  private void report() {
    List<SubtaskProgress> running = node.progressOfAll();
    if (running.isEmpty()) {
      return;
    }
    WorkerProgress.Builder message =
        WorkerProgress.newBuilder().setWorkerName(node.name()).setIncarnation(incarnation);
    for (SubtaskProgress progress : running) {
      message.addSubtasks(TaskMessages.progress(progress));
    }
    try {
      // One try: the next report replaces a lost one.
      coordinator.call(CoordinatorGrpc.getReportProgressMethod(), message.build(), periodMillis * 2);
    } catch (StatusRuntimeException e) {
      LOG.debug("Cannot report progress to the coordinator: {}", e.getStatus());
    } catch (RuntimeException e) {
      // A report must never end the schedule.
      LOG.warn("Cannot report progress to the coordinator", e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
