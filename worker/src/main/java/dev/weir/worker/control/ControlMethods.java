package dev.weir.worker.control;

import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.CancelAttempt;
import dev.weir.checkpoint.proto.CheckpointOutcome;
import dev.weir.checkpoint.proto.DeclineCheckpoint;
import dev.weir.checkpoint.proto.TriggerCheckpoint;
import dev.weir.worker.task.TaskDeployment;
import io.grpc.MethodDescriptor;
import java.io.Serializable;

/**
 * The unary control calls, by service. Deploys and task reports carry Java objects (plans and
 * exceptions are Java things anyway); the checkpoint calls carry protobuf messages. A worker serves {@link #WORKER_SERVICE}; the coordinator
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

  /** Coordinator → worker: take a checkpoint at the attempt's source subtasks there. */
  public static final MethodDescriptor<TriggerCheckpoint, Empty> TRIGGER_CHECKPOINT =
      protobufUnary(WORKER_SERVICE, "TriggerCheckpoint", TriggerCheckpoint.getDefaultInstance());

  /** Coordinator → worker: a checkpoint of the attempt completed or was aborted. */
  public static final MethodDescriptor<CheckpointOutcome, Empty> CHECKPOINT_OUTCOME =
      protobufUnary(WORKER_SERVICE, "CheckpointOutcome", CheckpointOutcome.getDefaultInstance());

  /** Coordinator → worker: cancel the subtasks of one attempt of a job (a restart). */
  public static final MethodDescriptor<CancelAttempt, Empty> CANCEL_ATTEMPT =
      protobufUnary(WORKER_SERVICE, "CancelAttempt", CancelAttempt.getDefaultInstance());

  /**
   * Coordinator → worker: are you there? Answered at once; the coordinator calls it, on a fresh
   * connection with a short deadline, to tell a dead worker (connection refused) from a slow one.
   */
  public static final MethodDescriptor<Empty, Empty> PING =
      protobufUnary(WORKER_SERVICE, "Ping", Empty.getDefaultInstance());

  /** Worker → coordinator: a subtask's part of a checkpoint is stored. */
  public static final MethodDescriptor<AcknowledgeCheckpoint, Empty> ACKNOWLEDGE_CHECKPOINT =
      protobufUnary(
          COORDINATOR_SERVICE, "AcknowledgeCheckpoint", AcknowledgeCheckpoint.getDefaultInstance());

  /** Worker → coordinator: a subtask could not take a checkpoint. */
  public static final MethodDescriptor<DeclineCheckpoint, Empty> DECLINE_CHECKPOINT =
      protobufUnary(
          COORDINATOR_SERVICE, "DeclineCheckpoint", DeclineCheckpoint.getDefaultInstance());

  private ControlMethods() {}

  /** A unary call whose request is the protobuf message {@code request} is an instance of. */
  static <Req extends Message> MethodDescriptor<Req, Empty> protobufUnary(
      String service, String method, Req request) {
    return MethodDescriptor.<Req, Empty>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
        .setRequestMarshaller(new ProtobufMarshaller<>(request))
        .setResponseMarshaller(new ProtobufMarshaller<>(Empty.getDefaultInstance()))
        .build();
  }

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
