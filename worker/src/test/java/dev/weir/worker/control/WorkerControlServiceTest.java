package dev.weir.worker.control;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import com.google.protobuf.Empty;
import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.CancelAttempt;
import dev.weir.checkpoint.proto.CheckpointOutcome;
import dev.weir.checkpoint.proto.DeclineCheckpoint;
import dev.weir.checkpoint.proto.NamedBytes;
import dev.weir.checkpoint.proto.SubtaskState;
import dev.weir.checkpoint.proto.TriggerCheckpoint;
import dev.weir.worker.control.v1.CoordinatorGrpc;
import dev.weir.worker.control.v1.Failure;
import dev.weir.worker.control.v1.TaskReport;
import dev.weir.worker.control.v1.WorkerGrpc;
import dev.weir.worker.exchange.ChannelId;
import dev.weir.worker.task.SubtaskSummary;
import dev.weir.worker.task.TaskDeployment;
import dev.weir.worker.task.TaskId;
import dev.weir.worker.task.TaskListener;
import dev.weir.worker.task.WorkerGateway;
import io.grpc.ServerServiceDefinition;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.After;
import org.junit.Test;

/**
 * The worker's control calls over loopback gRPC, as protobuf messages: deployments, triggers,
 * outcomes and attempt cancels reach the worker's gateway; the ends, acknowledgements and declines
 * of its subtasks reach the coordinator.
 */
public class WorkerControlServiceTest {
  private static final long TIMEOUT_MILLIS = 30_000;

  private final BlockingQueue<Object> atWorker = new LinkedBlockingQueue<>();
  private final BlockingQueue<Object> atCoordinator = new LinkedBlockingQueue<>();
  private final BlockingQueue<Deployed> deployments = new LinkedBlockingQueue<>();
  private final ControlServer coordinator =
      ControlServer.start("127.0.0.1", 0, coordinatorService());
  private final ControlChannel toCoordinator = new ControlChannel(coordinator.address());
  private final ControlServer worker =
      ControlServer.start(
          "127.0.0.1", 0, WorkerControlService.create(new RecordingGateway(), toCoordinator, "incarnation-1"));
  private final ControlChannel toWorker = new ControlChannel(worker.address());

  @After
  public void close() {
    toWorker.close();
    worker.close();
    toCoordinator.close();
    coordinator.close();
  }

  private ServerServiceDefinition coordinatorService() {
    return ServerServiceDefinition.builder(CoordinatorGrpc.SERVICE_NAME)
        .addMethod(
            CoordinatorGrpc.getReportTaskMethod(),
            ControlServer.unaryHandler(
                report -> {
                  atCoordinator.add(report);
                  return Empty.getDefaultInstance();
                }))
        .addMethod(
            CoordinatorGrpc.getAcknowledgeCheckpointMethod(),
            ControlServer.unaryHandler(
                ack -> {
                  atCoordinator.add(ack);
                  return Empty.getDefaultInstance();
                }))
        .addMethod(
            CoordinatorGrpc.getDeclineCheckpointMethod(),
            ControlServer.unaryHandler(
                decline -> {
                  atCoordinator.add(decline);
                  return Empty.getDefaultInstance();
                }))
        .build();
  }

  @Test
  public void triggersOutcomesAndAttemptCancelsReachTheWorker() throws Exception {
    TriggerCheckpoint trigger =
        TriggerCheckpoint.newBuilder().setJobId("job").setAttempt(2).setCheckpointId(7).build();
    CheckpointOutcome outcome =
        CheckpointOutcome.newBuilder()
            .setJobId("job")
            .setAttempt(2)
            .setCheckpointId(7)
            .setCompleted(true)
            .build();

    toWorker.call(WorkerGrpc.getTriggerCheckpointMethod(), trigger, TIMEOUT_MILLIS);
    toWorker.call(WorkerGrpc.getCheckpointOutcomeMethod(), outcome, TIMEOUT_MILLIS);
    toWorker.call(
        WorkerGrpc.getCancelAttemptMethod(),
        CancelAttempt.newBuilder().setJobId("job").setAttempt(2).build(),
        TIMEOUT_MILLIS);

    assertEquals(trigger, next(atWorker));
    assertEquals(outcome, next(atWorker));
    assertEquals("cancel job attempt 2", next(atWorker));
  }

  @Test
  public void acknowledgementsAndDeclinesOfASubtaskReachTheCoordinator() throws Exception {
    TaskId task = new TaskId("job", 1, 0, 3);
    TaskListener listener = deploy(task).listener;
    AcknowledgeCheckpoint ack =
        AcknowledgeCheckpoint.newBuilder()
            .setJobId("job")
            .setAttempt(3)
            .setStage(1)
            .setCheckpointId(4)
            .addOperators(
                SubtaskState.newBuilder()
                    .setOperatorId("Read")
                    .addEntries(
                        NamedBytes.newBuilder()
                            .setName("split-0")
                            .setValue(com.google.protobuf.ByteString.copyFromUtf8("offset 9"))))
            .build();
    DeclineCheckpoint decline =
        DeclineCheckpoint.newBuilder()
            .setJobId("job")
            .setAttempt(3)
            .setStage(1)
            .setCheckpointId(5)
            .setReason("disk full")
            .build();

    listener.checkpointAcknowledged(task, ack);
    listener.checkpointDeclined(task, decline);

    assertEquals(ack, next(atCoordinator));
    assertEquals(decline, next(atCoordinator));
  }

  @Test
  public void aCheckpointMessageTravelsAsItsProtobufBytes() throws Exception {
    TriggerCheckpoint trigger =
        TriggerCheckpoint.newBuilder().setJobId("job").setCheckpointId(12).build();
    byte[] wire =
        WorkerGrpc.getTriggerCheckpointMethod().getRequestMarshaller().stream(trigger).readAllBytes();

    assertArrayEquals(trigger.toByteArray(), wire);
  }

  @Test
  public void aDeploymentArrivesWithItsPlanBytesAddressesAndOptions() throws Exception {
    TaskId task = new TaskId("job", 2, 1, 4);

    TaskDeployment received = deploy(task).deployment;

    assertEquals(task, received.taskId());
    assertArrayEquals(new byte[] {1, 2, 3}, received.serializedPlan());
    assertEquals(
        Map.of(1, List.of("127.0.0.1:5", "127.0.0.1:6"), 2, List.of("127.0.0.1:7")),
        received.subtaskAddresses());
    assertEquals("the-job-name", received.options().get().getJobName());
  }

  @Test
  public void aFailedSubtaskReachesTheCoordinatorDescribedWithItsMetrics() throws Exception {
    TaskId task = new TaskId("job", 1, 0, 3);
    TaskListener listener = deploy(task).listener;
    MetricsContainerStepMap metrics = new MetricsContainerStepMap();
    metrics.getContainer("Count").getCounter(MetricName.named("ns", "seen")).inc(5);

    listener.taskFailed(
        task,
        new IllegalStateException("the user's DoFn failed", new ArithmeticException("/ by zero")),
        new SubtaskSummary(metrics, Map.of(new ChannelId("job", 3, 0, 0, 1), 42L)));

    TaskReport report = (TaskReport) next(atCoordinator);
    assertEquals(task, TaskMessages.task(report.getTask()));
    assertEquals("worker", report.getWorkerName());
    assertEquals("incarnation-1", report.getIncarnation());
    Failure failure = report.getFailure();
    assertEquals(IllegalStateException.class.getName(), failure.getClassName());
    assertEquals("the user's DoFn failed", failure.getMessage());
    assertEquals(ArithmeticException.class.getName(), failure.getCause().getClassName());
    assertEquals(getClass().getName(), failure.getStack(0).getDeclaringClass());
    SubtaskSummary summary = TaskMessages.summary(report.getSummary());
    assertEquals(Map.of(new ChannelId("job", 3, 0, 0, 1), 42L), summary.elementsSent());
    assertEquals(
        Long.valueOf(5),
        summary.metrics().getContainer("Count").getCounter(MetricName.named("ns", "seen"))
            .getCumulative());
  }

  /** What a deploy call delivered to the worker's gateway. */
  private static final class Deployed {
    final TaskDeployment deployment;
    final TaskListener listener;

    Deployed(TaskDeployment deployment, TaskListener listener) {
      this.deployment = deployment;
      this.listener = listener;
    }
  }

  private Deployed deploy(TaskId task) throws InterruptedException {
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setJobName("the-job-name");
    toWorker.call(
        WorkerGrpc.getDeployMethod(),
        TaskMessages.deployTask(
            new TaskDeployment(
                task,
                new byte[] {1, 2, 3},
                Map.of(1, List.of("127.0.0.1:5", "127.0.0.1:6"), 2, List.of("127.0.0.1:7")),
                new SerializablePipelineOptions(options))),
        TIMEOUT_MILLIS);
    Deployed deployed = deployments.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    if (deployed == null) {
      throw new AssertionError("No deployment arrived within " + TIMEOUT_MILLIS + " ms");
    }
    return deployed;
  }

  private static Object next(BlockingQueue<Object> queue) throws InterruptedException {
    Object next = queue.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    if (next == null) {
      throw new AssertionError("Nothing arrived within " + TIMEOUT_MILLIS + " ms");
    }
    return next;
  }

  /** Keeps what reaches it. */
  private final class RecordingGateway implements WorkerGateway {
    @Override
    public String name() {
      return "worker";
    }

    @Override
    public String exchangeAddress() {
      return "127.0.0.1:1";
    }

    @Override
    public void deploy(TaskDeployment deployment, TaskListener listener) {
      deployments.add(new Deployed(deployment, listener));
    }

    @Override
    public void cancelJob(String jobId) {
      atWorker.add("cancel " + jobId);
    }

    @Override
    public void cancelAttempt(String jobId, int attempt) {
      atWorker.add("cancel " + jobId + " attempt " + attempt);
    }

    @Override
    public void triggerCheckpoint(TriggerCheckpoint trigger) {
      atWorker.add(trigger);
    }

    @Override
    public void checkpointOutcome(CheckpointOutcome outcome) {
      atWorker.add(outcome);
    }

    @Override
    public List<dev.weir.worker.task.SubtaskProgress> progress(String jobId) {
      return List.of();
    }
  }
}
