package dev.weir.runner.cluster;

import static org.junit.Assert.assertEquals;

import com.google.protobuf.Empty;
import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.CheckpointOutcome;
import dev.weir.checkpoint.proto.DeclineCheckpoint;
import dev.weir.checkpoint.proto.TriggerCheckpoint;
import dev.weir.worker.control.ControlServer;
import dev.weir.worker.control.v1.WorkerGrpc;
import dev.weir.worker.control.v1.WorkerRegistration;
import dev.weir.worker.task.SubtaskSummary;
import dev.weir.worker.task.TaskDeployment;
import dev.weir.worker.task.TaskId;
import dev.weir.worker.task.TaskListener;
import io.grpc.ServerServiceDefinition;
import java.util.ArrayList;
import java.util.Collections;
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
 * The coordinator's side of a worker process's checkpoint calls: triggers, outcomes and attempt
 * cancels go to the worker's control service; the worker's acknowledgements and declines reach
 * the listener of the task they are about.
 */
public class RemoteWorkerTest {
  private static final long TIMEOUT_MILLIS = 30_000;

  private final BlockingQueue<Object> atWorker = new LinkedBlockingQueue<>();
  private final ControlServer workerServer = ControlServer.start("127.0.0.1", 0, workerService());
  private final RemoteWorker worker =
      new RemoteWorker(
          WorkerRegistration.newBuilder()
              .setName("w")
              .setExchangeAddress("127.0.0.1:1")
              .setControlAddress(workerServer.address())
              .build());
  private final List<Object> heard = Collections.synchronizedList(new ArrayList<>());

  @After
  public void close() {
    worker.close();
    workerServer.close();
  }

  private ServerServiceDefinition workerService() {
    return ServerServiceDefinition.builder(WorkerGrpc.SERVICE_NAME)
        .addMethod(
            WorkerGrpc.getDeployMethod(),
            ControlServer.unaryHandler(d -> Empty.getDefaultInstance()))
        .addMethod(
            WorkerGrpc.getTriggerCheckpointMethod(),
            ControlServer.unaryHandler(
                trigger -> {
                  atWorker.add(trigger);
                  return Empty.getDefaultInstance();
                }))
        .addMethod(
            WorkerGrpc.getCheckpointOutcomeMethod(),
            ControlServer.unaryHandler(
                outcome -> {
                  atWorker.add(outcome);
                  return Empty.getDefaultInstance();
                }))
        .addMethod(
            WorkerGrpc.getCancelAttemptMethod(),
            ControlServer.unaryHandler(
                cancel -> {
                  atWorker.add(cancel);
                  return Empty.getDefaultInstance();
                }))
        .build();
  }

  @Test
  public void triggersOutcomesAndCancelsGoToTheWorker() throws Exception {
    TriggerCheckpoint trigger =
        TriggerCheckpoint.newBuilder().setJobId("job").setAttempt(1).setCheckpointId(3).build();
    CheckpointOutcome outcome =
        CheckpointOutcome.newBuilder().setJobId("job").setAttempt(1).setCheckpointId(3).build();

    worker.triggerCheckpoint(trigger);
    worker.checkpointOutcome(outcome);
    worker.cancelAttempt("job", 1);

    assertEquals(trigger, atWorker.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
    assertEquals(outcome, atWorker.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
    dev.weir.checkpoint.proto.CancelAttempt cancel =
        (dev.weir.checkpoint.proto.CancelAttempt)
            atWorker.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    assertEquals("job", cancel.getJobId());
    assertEquals(1, cancel.getAttempt());
  }

  @Test
  public void acknowledgementsReachTheListenerOfTheirTaskOnly() {
    TaskId task = new TaskId("job", 0, 0, 2);
    worker.deploy(
        new TaskDeployment(
            task,
            new byte[0],
            Map.of(),
            new SerializablePipelineOptions(PipelineOptionsFactory.create())),
        new TaskListener() {
          @Override
          public void checkpointAcknowledged(TaskId t, AcknowledgeCheckpoint ack) {
            heard.add(ack);
          }

          @Override
          public void checkpointDeclined(TaskId t, DeclineCheckpoint decline) {
            heard.add(decline);
          }

          @Override
          public void taskFinished(TaskId t, SubtaskSummary summary) {}

          @Override
          public void taskFailed(TaskId t, Throwable cause, SubtaskSummary summary) {}
        });
    AcknowledgeCheckpoint ack =
        AcknowledgeCheckpoint.newBuilder().setJobId("job").setAttempt(2).setCheckpointId(8).build();
    DeclineCheckpoint decline =
        DeclineCheckpoint.newBuilder().setJobId("job").setAttempt(2).setCheckpointId(9).build();

    worker.acknowledged(task, ack);
    worker.declined(task, decline);
    // The same subtask of the earlier attempt is another task.
    worker.acknowledged(new TaskId("job", 0, 0, 1), ack);

    assertEquals(List.of(ack, decline), heard);
  }
}
