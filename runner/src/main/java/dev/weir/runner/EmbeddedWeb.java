package dev.weir.runner;

import dev.weir.web.WebServer;
import dev.weir.web.WebSettings;
import dev.weir.web.view.WorkerSummary;
import dev.weir.worker.task.WorkerNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The web server of a job on the embedded cluster ({@code --webPort}): it shows that one job and
 * the cluster's workers while the job runs, and closes when the job ends. No token: the embedded
 * cluster's credentials live only in this JVM, so a non-loopback {@code --webBind} needs {@code
 * --webInsecure}.
 */
final class EmbeddedWeb {
  private EmbeddedWeb() {}

  /** The server, or null without {@code --webPort}. */
  static @Nullable WebServer start(
      WeirPipelineOptions options, JobCoordinator job, EmbeddedCluster cluster) {
    Integer port = options.getWebPort();
    if (port == null) {
      return null;
    }
    WebSettings settings =
        new WebSettings(options.getWebBind(), port, Optional.empty(), options.isWebInsecure())
            .withMetricsPerSubtask(options.isMetricsPerSubtask());
    return WebServer.start(
        settings,
        new CoordinatorView(
            () -> List.of(job),
            () -> {
              List<WorkerSummary> workers = new ArrayList<>();
              for (WorkerNode worker : cluster.workers()) {
                // Takes any number of subtasks; in this JVM, so no heartbeats.
                workers.add(new WorkerSummary(worker.name(), -1, worker.exchangeAddress(), -1));
              }
              return workers;
            },
            cluster::resourcesOf));
  }
}
