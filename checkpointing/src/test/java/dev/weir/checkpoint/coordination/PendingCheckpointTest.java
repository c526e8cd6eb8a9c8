package dev.weir.checkpoint.coordination;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.CheckpointKind;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.DeclineCheckpoint;
import dev.weir.checkpoint.proto.KeyGroupRange;
import dev.weir.checkpoint.proto.NamedBytes;
import dev.weir.checkpoint.proto.SubtaskState;
import java.util.List;
import java.util.Set;
import org.junit.Test;

public class PendingCheckpointTest {
  private static final ByteString FINGERPRINT = ByteString.copyFromUtf8("plan-hash");
  private static final StageSubtask SOURCE = new StageSubtask(0, 0);
  private static final StageSubtask COUNT_0 = new StageSubtask(1, 0);
  private static final StageSubtask COUNT_1 = new StageSubtask(1, 1);

  private static PendingCheckpoint pending() {
    return new PendingCheckpoint(
        "job",
        2,
        7,
        CheckpointKind.CHECKPOINT,
        1000,
        FINGERPRINT,
        List.of(SOURCE, COUNT_0, COUNT_1));
  }

  private static AcknowledgeCheckpoint ack(StageSubtask subtask, long id, String operator) {
    return AcknowledgeCheckpoint.newBuilder()
        .setJobId("job")
        .setAttempt(2)
        .setStage(subtask.stage())
        .setSubtask(subtask.subtask())
        .setCheckpointId(id)
        .addOperators(
            SubtaskState.newBuilder()
                .setOperatorId(operator)
                .setSubtaskIndex(subtask.subtask())
                .setKeyGroups(KeyGroupRange.newBuilder().setStart(0).setEnd(64))
                .addEntries(
                    NamedBytes.newBuilder()
                        .setName("position-" + subtask.subtask())
                        .setValue(ByteString.copyFromUtf8("p"))))
        .setStateBytes(100)
        .setUploadedBytes(10)
        .build();
  }

  private static DeclineCheckpoint decline(StageSubtask subtask, long id) {
    return DeclineCheckpoint.newBuilder()
        .setJobId("job")
        .setAttempt(2)
        .setStage(subtask.stage())
        .setSubtask(subtask.subtask())
        .setCheckpointId(id)
        .setReason("disk full")
        .build();
  }

  @Test
  public void completesWhenEveryExpectedSubtaskAcknowledged() {
    PendingCheckpoint checkpoint = pending();
    assertTrue(checkpoint.acknowledge(ack(COUNT_1, 7, "Count")));
    assertTrue(checkpoint.acknowledge(ack(SOURCE, 7, "Read")));
    assertFalse(checkpoint.isComplete());
    assertEquals(Set.of(COUNT_0), checkpoint.awaited());
    assertTrue(checkpoint.acknowledge(ack(COUNT_0, 7, "Count")));
    assertTrue(checkpoint.isComplete());
    assertEquals(300, checkpoint.stateBytes());
    assertEquals(30, checkpoint.uploadedBytes());
  }

  @Test
  public void reportsTheLongestSyncAndAsyncPartAmongTheAcknowledgements() {
    PendingCheckpoint checkpoint = pending();
    assertEquals(0, checkpoint.maxSyncMillis());
    checkpoint.acknowledge(
        ack(COUNT_0, 7, "Count").toBuilder()
            .setSyncDurationMillis(40)
            .setAsyncDurationMillis(5)
            .build());
    checkpoint.acknowledge(
        ack(COUNT_1, 7, "Count").toBuilder()
            .setSyncDurationMillis(12)
            .setAsyncDurationMillis(300)
            .build());
    checkpoint.acknowledge(ack(SOURCE, 7, "Read"));
    assertEquals(40, checkpoint.maxSyncMillis());
    assertEquals(300, checkpoint.maxAsyncMillis());
  }

  @Test
  public void metadataCarriesTheJobIdPlanTimesAndEverySubtasksStateInOrder() {
    PendingCheckpoint checkpoint = pending();
    checkpoint.acknowledge(ack(COUNT_1, 7, "Count"));
    checkpoint.acknowledge(ack(COUNT_0, 7, "Count"));
    checkpoint.acknowledge(ack(SOURCE, 7, "Read"));

    CheckpointMetadata metadata = checkpoint.toMetadata(1500);

    assertEquals(1, metadata.getFormatVersion());
    assertEquals("job", metadata.getJobId());
    assertEquals(7, metadata.getCheckpointId());
    assertEquals(FINGERPRINT, metadata.getPlanFingerprint());
    assertEquals(CheckpointKind.CHECKPOINT, metadata.getKind());
    assertEquals(1000, metadata.getTriggeredAtMillis());
    assertEquals(1500, metadata.getCompletedAtMillis());
    assertEquals(3, metadata.getSubtasksCount());
    assertEquals("Read", metadata.getSubtasks(0).getOperatorId());
    assertEquals("Count", metadata.getSubtasks(1).getOperatorId());
    assertEquals(0, metadata.getSubtasks(1).getSubtaskIndex());
    assertEquals(1, metadata.getSubtasks(2).getSubtaskIndex());
    assertEquals(0, metadata.getEntriesCount());
  }

  @Test
  public void aSubtaskThatFinishedBeforeAcknowledgingCountsWithNoState() {
    PendingCheckpoint checkpoint = pending();
    assertTrue(checkpoint.subtaskFinished(SOURCE));
    checkpoint.acknowledge(ack(COUNT_0, 7, "Count"));
    checkpoint.acknowledge(ack(COUNT_1, 7, "Count"));
    assertTrue(checkpoint.isComplete());

    CheckpointMetadata metadata = checkpoint.toMetadata(2000);

    assertEquals(2, metadata.getSubtasksCount());
    assertEquals(200, checkpoint.stateBytes());
    assertEquals(Set.of(SOURCE), PendingCheckpoint.finishedSubtasks(metadata));
    assertEquals("finished/0/0", metadata.getEntries(0).getName());
  }

  @Test
  public void aSubtaskThatFinishedAfterAcknowledgingKeepsItsState() {
    PendingCheckpoint checkpoint = pending();
    checkpoint.acknowledge(ack(SOURCE, 7, "Read"));
    assertFalse(checkpoint.subtaskFinished(SOURCE));
    checkpoint.acknowledge(ack(COUNT_0, 7, "Count"));
    checkpoint.acknowledge(ack(COUNT_1, 7, "Count"));

    CheckpointMetadata metadata = checkpoint.toMetadata(2000);

    assertEquals(3, metadata.getSubtasksCount());
    assertTrue(PendingCheckpoint.finishedSubtasks(metadata).isEmpty());
  }

  @Test
  public void acknowledgementsOfAnotherCheckpointAttemptOrSubtaskAreNotCounted() {
    PendingCheckpoint checkpoint = pending();
    assertFalse(checkpoint.acknowledge(ack(SOURCE, 6, "Read")));
    assertFalse(checkpoint.acknowledge(ack(SOURCE, 7, "Read").toBuilder().setAttempt(1).build()));
    assertFalse(checkpoint.acknowledge(ack(SOURCE, 7, "Read").toBuilder().setJobId("x").build()));
    assertFalse(checkpoint.acknowledge(ack(new StageSubtask(1, 2), 7, "Count")));
    assertTrue(checkpoint.acknowledge(ack(SOURCE, 7, "Read")));
    assertFalse("a duplicate", checkpoint.acknowledge(ack(SOURCE, 7, "Read")));
    assertEquals(Set.of(COUNT_0, COUNT_1), checkpoint.awaited());
    assertEquals(100, checkpoint.stateBytes());
  }

  @Test
  public void aDeclineAbortsWithTheSubtaskAndItsReason() {
    PendingCheckpoint checkpoint = pending();
    checkpoint.acknowledge(ack(SOURCE, 7, "Read"));
    assertFalse(checkpoint.decline(decline(COUNT_0, 6)));
    assertFalse(checkpoint.isAborted());
    assertTrue(checkpoint.decline(decline(COUNT_0, 7)));
    checkpoint.acknowledge(ack(COUNT_0, 7, "Count"));
    checkpoint.acknowledge(ack(COUNT_1, 7, "Count"));

    assertTrue(checkpoint.isAborted());
    assertFalse(checkpoint.isComplete());
    assertThat(checkpoint.abortReason(), containsString("stage1/0"));
    assertThat(checkpoint.abortReason(), containsString("disk full"));
    assertThrows(IllegalStateException.class, () -> checkpoint.toMetadata(3000));
  }

  @Test
  public void aTimeoutAbortsAndTheFirstReasonStays() {
    PendingCheckpoint checkpoint = pending();
    checkpoint.abort("timed out after 600000 ms");
    checkpoint.abort("attempt failed");
    assertTrue(checkpoint.isAborted());
    assertEquals("timed out after 600000 ms", checkpoint.abortReason());
    assertFalse(checkpoint.acknowledge(ack(SOURCE, 7, "Read")));
  }

  @Test
  public void anIncompleteCheckpointHasNoMetadata() {
    PendingCheckpoint checkpoint = pending();
    checkpoint.acknowledge(ack(SOURCE, 7, "Read"));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> checkpoint.toMetadata(3000));
    assertThat(e.getMessage(), containsString("stage1/0"));
  }

  @Test
  public void aCheckpointOfOnlyFinishedSubtasksIsCompleteAtOnce() {
    PendingCheckpoint checkpoint =
        new PendingCheckpoint("job", 0, 1, CheckpointKind.CHECKPOINT, 0, FINGERPRINT, List.of());
    assertTrue(checkpoint.isComplete());
    assertEquals(0, checkpoint.toMetadata(1).getSubtasksCount());
  }
}
