package dev.weir.worker.control;

import com.google.protobuf.Empty;
import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.DeclineCheckpoint;
import dev.weir.worker.control.v1.CoordinatorGrpc;
import dev.weir.worker.control.v1.TaskReport;
import dev.weir.worker.control.v1.WorkerGrpc;
import dev.weir.worker.task.SubtaskSummary;
import dev.weir.worker.task.TaskId;
import dev.weir.worker.task.TaskListener;
import dev.weir.worker.task.WorkerGateway;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's control service: deploys, cancels and checkpoint triggers and outcomes on the local
 * {@link WorkerGateway}; sends each subtask's end and its checkpoint acknowledgements and declines
 * to the coordinator.
 */
final class WorkerControlService {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerControlService.class);
  private static final long REPORT_TIMEOUT_MILLIS = 30_000;
  private static final int REPORT_ATTEMPTS = 3;

  private WorkerControlService() {}

  /**
   * The Worker service of {@code weir_control.proto} on {@code worker}; subtask ends and
   * checkpoint acknowledgements go to {@code coordinator} as {@code worker} of {@code
   * incarnation}.
   */
  static ServerServiceDefinition create(
      WorkerGateway worker, ControlChannel coordinator, String incarnation) {
    TaskListener reporter = new ReportingListener(coordinator, worker.name(), incarnation);
    // Built from the service's descriptor, which fails unless every method has a handler.
    return ServerServiceDefinition.builder(WorkerGrpc.getServiceDescriptor())
        .addMethod(
            WorkerGrpc.getDeployMethod(),
            ControlServer.unaryHandler(
                deploy -> {
                  worker.deploy(TaskMessages.deployment(deploy), reporter);
                  return Empty.getDefaultInstance();
                }))
        .addMethod(
            WorkerGrpc.getCancelJobMethod(),
            ControlServer.unaryHandler(
                cancel -> {
                  worker.cancelJob(cancel.getJobId());
                  return Empty.getDefaultInstance();
                }))
        .addMethod(
            WorkerGrpc.getCancelAttemptMethod(),
            ControlServer.unaryHandler(
                cancel -> {
                  worker.cancelAttempt(cancel.getJobId(), cancel.getAttempt());
                  return Empty.getDefaultInstance();
                }))
        .addMethod(
            WorkerGrpc.getTriggerCheckpointMethod(),
            ControlServer.unaryHandler(
                trigger -> {
                  worker.triggerCheckpoint(trigger);
                  return Empty.getDefaultInstance();
                }))
        .addMethod(WorkerGrpc.getPingMethod(), ControlServer.unaryHandler(ping -> ping))
        .addMethod(
            WorkerGrpc.getCheckpointOutcomeMethod(),
            ControlServer.unaryHandler(
                outcome -> {
                  worker.checkpointOutcome(outcome);
                  return Empty.getDefaultInstance();
                }))
        .build();
  }

  private static final class ReportingListener implements TaskListener {
    private final ControlChannel coordinator;
    private final String workerName;
    private final String incarnation;

    ReportingListener(ControlChannel coordinator, String workerName, String incarnation) {
      this.coordinator = coordinator;
      this.workerName = workerName;
      this.incarnation = incarnation;
    }

    @Override
    public void checkpointAcknowledged(TaskId task, AcknowledgeCheckpoint ack) {
      sendOnce(CoordinatorGrpc.getAcknowledgeCheckpointMethod(), ack, task);
    }

    @Override
    public void checkpointDeclined(TaskId task, DeclineCheckpoint decline) {
      sendOnce(CoordinatorGrpc.getDeclineCheckpointMethod(), decline, task);
    }

    /**
     * One try: a lost acknowledgement only makes its checkpoint time out, and the next one
     * stands in for it.
     */
    private <T> void sendOnce(MethodDescriptor<T, Empty> method, T message, TaskId task) {
      try {
        coordinator.call(method, message, REPORT_TIMEOUT_MILLIS);
      } catch (StatusRuntimeException e) {
        LOG.warn(
            "Cannot send {} of {} to the coordinator: {}",
            method.getBareMethodName(),
            task,
            e.getStatus());
      }
    }

    @Override
    public void taskFinished(TaskId task, SubtaskSummary summary) {
      send(report(task, summary).build());
    }

    @Override
    public void taskFailed(TaskId task, Throwable cause, SubtaskSummary summary) {
      send(report(task, summary).setFailure(RemoteFailure.describe(cause)).build());
    }

    private TaskReport.Builder report(TaskId task, SubtaskSummary summary) {
      return TaskReport.newBuilder()
          .setTask(TaskMessages.key(task))
          .setSummary(TaskMessages.summary(summary))
          .setWorkerName(workerName)
          .setIncarnation(incarnation);
    }

    private void send(TaskReport report) {
      // Cancelling a job interrupts its subtasks, maybe while one reports its end; a blocking
      // call on an interrupted thread fails at once, and a lost report would leave the job
      // waiting for this subtask forever. The subtask is over, so the interrupt can wait.
      boolean interrupted = Thread.interrupted();
      try {
        sendUninterrupted(report);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void sendUninterrupted(TaskReport report) {
      for (int attempt = 1; ; attempt++) {
        try {
          coordinator.call(CoordinatorGrpc.getReportTaskMethod(), report, REPORT_TIMEOUT_MILLIS);
          return;
        } catch (StatusRuntimeException e) {
          Thread.interrupted();
          if (attempt == REPORT_ATTEMPTS) {
            // The heartbeat notices a lost coordinator and ends this process.
            LOG.error("Cannot report the end of {} to the coordinator", TaskMessages.task(report.getTask()), e);
            return;
          }
          LOG.warn("Reporting the end of {} failed, retrying: {}", TaskMessages.task(report.getTask()), e.getStatus());
        }
      }
    }
  }
}
