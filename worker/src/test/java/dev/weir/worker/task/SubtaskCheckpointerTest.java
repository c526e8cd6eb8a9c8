package dev.weir.worker.task;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.DeclineCheckpoint;
import dev.weir.state.KeyGroupRange;
import dev.weir.worker.operators.StageOperator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.metrics.MetricName;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The checkpoint action of one subtask, on its own: outcomes, and what happens on failures. */
public class SubtaskCheckpointerTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private final RecordingOperator operator = new RecordingOperator("op", log);
  private final RecordingListener listener = new RecordingListener();
  private final CheckpointUploads uploads = new CheckpointUploads();

  @After
  public void close() {
    uploads.close();
  }

  private final MetricsContainerStepMap metrics = new MetricsContainerStepMap();

  private SubtaskCheckpointer checkpointer(StageOperator op, String checkpointDir) {
    OperatorChain chain = new OperatorChain();
    chain.add(op, List.of());
    SubtaskOutputs outputs = new SubtaskOutputs();
    return new SubtaskCheckpointer(
        new TaskId("job", 0, 0),
        List.of("op"),
        List.of(op),
        new OperatorBackends(),
        KeyGroupRange.of(0, 128),
        new CurrentBundle(chain, outputs),
        event -> log.add("forward " + event),
        StateBackendFactory.inMemory(),
        uploads,
        checkpointDir,
        listener,
        metrics);
  }

  @Test
  public void theAcknowledgementCarriesWhatTheSubtaskCountedUpToTheBarrier() throws Exception {
    SubtaskCheckpointer checkpointer = checkpointer(operator, temp.getRoot().toURI().toString());
    MetricName counter = MetricName.named("ns", "n");
    metrics.getContainer("op").getCounter(counter).inc(3);

    checkpointer.checkpoint(1);
    metrics.getContainer("op").getCounter(counter).inc(4);
    checkpointer.checkpoint(2);

    Map<Long, Long> countedAt = new java.util.TreeMap<>();
    for (int i = 0; i < 2; i++) {
      AcknowledgeCheckpoint ack = listener.nextAck();
      countedAt.put(ack.getCheckpointId(), counted(ack, counter));
    }
    assertEquals(Map.of(1L, 3L, 2L, 7L), countedAt);
  }

  private static long counted(AcknowledgeCheckpoint ack, MetricName counter) {
    return MonitoringInfoBytes.decode(ack.getMetricsList())
        .getContainer("op")
        .getCounter(counter)
        .getCumulative();
  }

  @Test
  public void operatorsHearOfACompletedCheckpointBetweenBundles() throws Exception {
    SubtaskCheckpointer checkpointer = checkpointer(operator, temp.getRoot().toURI().toString());

    checkpointer.completed(3);

    // The bundle after it carries only what the operators released on hearing it (stable input).
    assertEquals(
        List.of(
            "op finish bundle",
            "op checkpoint complete 3 on " + Thread.currentThread().getName(),
            "op finish bundle"),
        log);
  }

  @Test
  public void aFailedSnapshotDeclinesButStillForwardsTheBarrier() throws Exception {
    RecordingOperator failing =
        new RecordingOperator("op", log) {
          @Override
          public Map<String, byte[]> snapshotState(long checkpointId) {
            throw new IllegalStateException("position unknown");
          }
        };
    SubtaskCheckpointer checkpointer = checkpointer(failing, temp.getRoot().toURI().toString());

    checkpointer.checkpoint(6);

    DeclineCheckpoint decline = listener.nextDecline();
    assertEquals(6, decline.getCheckpointId());
    assertTrue(decline.getReason(), decline.getReason().contains("position unknown"));
    // Consumers aligning on the barrier are not held until the next checkpoint.
    assertEquals(List.of("op finish bundle", "forward CheckpointBarrier[6]"), log);
    checkpointer.awaitUploads();
    assertTrue(listener.acks.isEmpty());
  }

  @Test
  public void withoutACheckpointDirectoryTheCheckpointIsDeclined() throws Exception {
    SubtaskCheckpointer checkpointer = checkpointer(operator, null);

    checkpointer.checkpoint(2);

    assertTrue(listener.nextDecline().getReason().contains("--checkpointDir"));
  }
}
