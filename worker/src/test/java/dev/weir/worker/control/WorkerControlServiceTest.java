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
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.After;
import org.junit.Test;

/**
 * The checkpoint control calls over loopback gRPC, as protobuf messages: triggers, outcomes and
 * attempt cancels reach the worker's gateway; acknowledgements and declines of its subtasks reach
 * the coordinator.
 */
public class WorkerControlServiceTest {
  private static final long TIMEOUT_MILLIS = 30_000;

  private final BlockingQueue<Object> atWorker = new LinkedBlockingQueue<>();
  private final BlockingQueue<Object> atCoordinator = new LinkedBlockingQueue<>();
  private final BlockingQueue<TaskListener> listeners = new LinkedBlockingQueue<>();
  private final ControlServer coordinator =
      ControlServer.start("127.0.0.1", 0, coordinatorService());
  private final ControlChannel toCoordinator = new ControlChannel(coordinator.address());
  private final ControlServer worker =
      ControlServer.start(
          "127.0.0.1", 0, WorkerControlService.create(new RecordingGateway(), toCoordinator));
  private final ControlChannel toWorker = new ControlChannel(worker.address());

  @After
  public void close() {
    toWorker.close();
    worker.close();
    toCoordinator.close();
    coordinator.close();
  }

  private ServerServiceDefinition coordinatorService() {
    return ServerServiceDefinition.builder(ControlMethods.COORDINATOR_SERVICE)
        .addMethod(
            ControlMethods.ACKNOWLEDGE_CHECKPOINT,
            ControlServer.unaryHandler(
                ack -> {
                  atCoordinator.add(ack);
                  return Empty.getDefaultInstance();
                }))
        .addMethod(
            ControlMethods.DECLINE_CHECKPOINT,
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

    toWorker.call(ControlMethods.TRIGGER_CHECKPOINT, trigger, TIMEOUT_MILLIS);
    toWorker.call(ControlMethods.CHECKPOINT_OUTCOME, outcome, TIMEOUT_MILLIS);
    toWorker.call(
        ControlMethods.CANCEL_ATTEMPT,
        CancelAttempt.newBuilder().setJobId("job").setAttempt(2).build(),
        TIMEOUT_MILLIS);

    assertEquals(trigger, next(atWorker));
    assertEquals(outcome, next(atWorker));
    assertEquals("cancel job attempt 2", next(atWorker));
  }

  @Test
  public void acknowledgementsAndDeclinesOfASubtaskReachTheCoordinator() throws Exception {
    TaskId task = new TaskId("job", 1, 0, 3);
    toWorker.call(
        ControlMethods.DEPLOY,
        new TaskDeployment(
            task,
            new byte[0],
            Map.of(),
            new SerializablePipelineOptions(PipelineOptionsFactory.create())),
        TIMEOUT_MILLIS);
    TaskListener listener = listeners.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
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
        ControlMethods.TRIGGER_CHECKPOINT.getRequestMarshaller().stream(trigger).readAllBytes();

    assertArrayEquals(trigger.toByteArray(), wire);
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
      listeners.add(listener);
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
