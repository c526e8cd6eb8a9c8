package dev.weir.runner.cluster;

import com.google.protobuf.Empty;
import dev.weir.runner.WeirPipelineOptions;
import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.TransformOverrides;
import dev.weir.worker.control.ControlChannel;
import dev.weir.worker.control.ControlServer;
import dev.weir.worker.control.v1.CoordinatorGrpc;
import dev.weir.worker.control.v1.DeployTask;
import dev.weir.worker.control.v1.SubtaskSummary;
import dev.weir.worker.control.v1.TaskReport;
import dev.weir.worker.control.v1.WorkerGrpc;
import dev.weir.worker.control.v1.WorkerHeartbeat;
import dev.weir.worker.control.v1.WorkerRegistration;
import io.grpc.ServerServiceDefinition;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * A worker's control service in this JVM that runs nothing: it keeps what it is sent, and, if
 * asked to, reports every deployed subtask finished at once. For tests of the coordinator's side
 * of the control protocol.
 */
final class InProcessWorkerStub implements AutoCloseable {
  private static final long TIMEOUT_MILLIS = 30_000;

  final BlockingQueue<DeployTask> deployed = new LinkedBlockingQueue<>();
  final List<String> cancelledJobs = new CopyOnWriteArrayList<>();
  private final boolean finishAtOnce;
  private final ControlServer server;
  private final ExecutorService reporter = Executors.newSingleThreadExecutor();
  private ControlChannel coordinator;
  private String name;
  private String incarnation;

  InProcessWorkerStub(boolean finishAtOnce) {
    this.finishAtOnce = finishAtOnce;
    this.server = ControlServer.start("127.0.0.1", 0, service());
  }

  private ServerServiceDefinition service() {
    return ServerServiceDefinition.builder(WorkerGrpc.getServiceDescriptor())
        .addMethod(
            WorkerGrpc.getDeployMethod(),
            ControlServer.unaryHandler(
                deploy -> {
                  deployed.add(deploy);
                  if (finishAtOnce) {
                    reporter.execute(() -> reportFinished(deploy));
                  }
                  return Empty.getDefaultInstance();
                }))
        .addMethod(
            WorkerGrpc.getCancelJobMethod(),
            ControlServer.unaryHandler(
                cancel -> {
                  cancelledJobs.add(cancel.getJobId());
                  return Empty.getDefaultInstance();
                }))
        .addMethod(
            WorkerGrpc.getCancelAttemptMethod(),
            ControlServer.unaryHandler(cancel -> Empty.getDefaultInstance()))
        .addMethod(
            WorkerGrpc.getTriggerCheckpointMethod(),
            ControlServer.unaryHandler(trigger -> Empty.getDefaultInstance()))
        .addMethod(
            WorkerGrpc.getCheckpointOutcomeMethod(),
            ControlServer.unaryHandler(outcome -> Empty.getDefaultInstance()))
        .addMethod(WorkerGrpc.getPingMethod(), ControlServer.unaryHandler(ping -> ping))
        .build();
  }

  /** Registers with the coordinator at {@code address} as process {@code incarnation}. */
  void register(String address, String name, String incarnation) {
    this.coordinator = new ControlChannel(address);
    this.name = name;
    this.incarnation = incarnation;
    coordinator.call(
        CoordinatorGrpc.getRegisterMethod(),
        WorkerRegistration.newBuilder()
            .setName(name)
            .setExchangeAddress("127.0.0.1:1")
            .setControlAddress(server.address())
            .setIncarnation(incarnation)
            .build(),
        TIMEOUT_MILLIS);
  }

  /** Whether the coordinator takes this process's heartbeat as that of a worker it knows. */
  boolean heartbeatKnown() {
    return coordinator
        .call(
            CoordinatorGrpc.getHeartbeatMethod(),
            WorkerHeartbeat.newBuilder().setWorkerName(name).setIncarnation(incarnation).build(),
            TIMEOUT_MILLIS)
        .getKnown();
  }

  DeployTask nextDeployment() throws InterruptedException {
    DeployTask next = deployed.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    if (next == null) {
      throw new AssertionError("No deployment arrived within " + TIMEOUT_MILLIS + " ms");
    }
    return next;
  }

  private void reportFinished(DeployTask deploy) {
    coordinator.call(
        CoordinatorGrpc.getReportTaskMethod(),
        TaskReport.newBuilder()
            .setTask(deploy.getTask())
            .setSummary(SubtaskSummary.getDefaultInstance())
            .setWorkerName(name)
            .setIncarnation(incarnation)
            .build(),
        TIMEOUT_MILLIS);
  }

  /** Its server stops: its port refuses connections, as a dead process's does. */
  @Override
  public void close() {
    reporter.shutdownNow();
    server.close();
    if (coordinator != null) {
      coordinator.close();
    }
  }

  /** A one-stage job (parallelism 1) as a client submits it. */
  static dev.weir.runner.cluster.v1.SubmitJob oneStageJob(String jobId) {
    WeirPipelineOptions options = PipelineOptionsFactory.as(WeirPipelineOptions.class);
    options.setNoProgressTimeoutSeconds(0L);
    options.setProgressLogSeconds(0L);
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply(Create.of("a", "b"))
        .apply(MapElements.into(TypeDescriptors.strings()).via((String s) -> s + s));
    TransformOverrides.apply(pipeline);
    ExecutionPlan plan = PipelineTranslator.translate(pipeline, jobId, 1, 128);
    return dev.weir.runner.cluster.v1.SubmitJob.newBuilder()
        .setJobId(jobId)
        .setTopology(dev.weir.runner.JobTopology.of(plan).toProto())
        .setPipelineOptionsJson(new SerializablePipelineOptions(options).toString())
        .build();
  }
}
