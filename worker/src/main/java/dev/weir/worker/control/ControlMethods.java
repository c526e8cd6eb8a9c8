package dev.weir.worker.control;

import dev.weir.worker.task.TaskDeployment;
import io.grpc.MethodDescriptor;
import java.io.Serializable;

/**
 * The unary control calls, by service. A worker serves {@link #WORKER_SERVICE}; the coordinator
 * serves {@link #COORDINATOR_SERVICE} (for workers) and, in the runner module, a job service for
 * clients built with {@link #unary}.
 */
public final class ControlMethods {
  public static final String WORKER_SERVICE = "weir.control.Worker";
  public static final String COORDINATOR_SERVICE = "weir.control.Coordinator";

  /** Coordinator → worker: start a subtask. */
  public static final MethodDescriptor<TaskDeployment, Boolean> DEPLOY =
      unary(WORKER_SERVICE, "Deploy", TaskDeployment.class, Boolean.class);

  /** Coordinator → worker: cancel every subtask of the job with this id. */
  public static final MethodDescriptor<String, Boolean> CANCEL_JOB =
      unary(WORKER_SERVICE, "CancelJob", String.class, Boolean.class);

  /** Worker → coordinator: join the cluster. */
  public static final MethodDescriptor<WorkerRegistration, Boolean> REGISTER =
      unary(COORDINATOR_SERVICE, "Register", WorkerRegistration.class, Boolean.class);

  /** Worker → coordinator: a subtask ended. */
  public static final MethodDescriptor<TaskReport, Boolean> REPORT_TASK =
      unary(COORDINATOR_SERVICE, "ReportTask", TaskReport.class, Boolean.class);

  /**
   * Worker → coordinator, every second: the worker's name. The answer is false if the coordinator
   * does not know the worker (it restarted), which the worker treats like a lost coordinator.
   */
  public static final MethodDescriptor<String, Boolean> HEARTBEAT =
      unary(COORDINATOR_SERVICE, "Heartbeat", String.class, Boolean.class);

  private ControlMethods() {}

  /** A unary call whose request and response are Java-serialized objects. */
  public static <Req extends Serializable, Res extends Serializable>
      MethodDescriptor<Req, Res> unary(
          String service, String method, Class<Req> request, Class<Res> response) {
    return MethodDescriptor.<Req, Res>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
        .setRequestMarshaller(new JavaSerializedMarshaller<>(request))
        .setResponseMarshaller(new JavaSerializedMarshaller<>(response))
        .build();
  }
}
