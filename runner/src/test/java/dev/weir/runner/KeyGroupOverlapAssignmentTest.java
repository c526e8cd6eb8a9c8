package dev.weir.runner;

import static org.junit.Assert.assertEquals;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.proto.CheckpointKind;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.KeyGroupRange;
import dev.weir.checkpoint.proto.NamedBytes;
import dev.weir.checkpoint.proto.OperatorRestore;
import dev.weir.checkpoint.proto.StateFile;
import dev.weir.checkpoint.proto.StateHandle;
import dev.weir.checkpoint.proto.SubtaskRestore;
import dev.weir.checkpoint.proto.SubtaskState;
import dev.weir.checkpoint.storage.CompletedCheckpoint;
import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.StagePlan;
import dev.weir.translation.TransformOverrides;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.junit.Test;

public class KeyGroupOverlapAssignmentTest {

  private static SubtaskState oldSubtask(String operator, int index, int start, int end) {
    return SubtaskState.newBuilder()
        .setOperatorId(operator)
        .setSubtaskIndex(index)
        .setKeyGroups(KeyGroupRange.newBuilder().setStart(start).setEnd(end))
        .setKeyedState(
            StateHandle.newBuilder()
                .addFiles(StateFile.newBuilder().setPath("chk-4/" + operator + "/" + index)))
        .addEntries(
            NamedBytes.newBuilder()
                .setName("entry-" + index)
                .setValue(ByteString.copyFromUtf8("v" + index)))
        .build();
  }

  @Test
  public void atAnotherParallelismEachSubtaskGetsTheOverlappingKeyedStateAndAllEntries() {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply(Create.of("a", "b")).apply("CountWords", Count.perElement());
    TransformOverrides.apply(pipeline);
    ExecutionPlan plan = PipelineTranslator.translate(pipeline, "job", 3, 128);
    StagePlan keyed = null;
    for (StagePlan stage : plan.stages()) {
      if (stage.operators().get(0).isKeyed()) {
        keyed = stage;
      }
    }
    OperatorPlan operator = keyed.operators().get(0);
    // Taken at parallelism 2: key groups [0, 64) and [64, 128).
    CheckpointMetadata metadata =
        CheckpointMetadata.newBuilder()
            .setCheckpointId(4)
            .setKind(CheckpointKind.CHECKPOINT)
            .addSubtasks(oldSubtask(operator.name(), 0, 0, 64))
            .addSubtasks(oldSubtask(operator.name(), 1, 64, 128))
            .addSubtasks(oldSubtask("SomeOtherStage", 0, 0, 128))
            .build();
    CompletedCheckpoint checkpoint = new CompletedCheckpoint(4, "file:/c/job/chk-4", metadata);
    KeyGroupOverlapAssignment assignment = new KeyGroupOverlapAssignment();

    SubtaskRestore firstOfThree = assignment.restoreFor(checkpoint, "file:/c/job", plan, keyed, 0);
    SubtaskRestore middle = assignment.restoreFor(checkpoint, "file:/c/job", plan, keyed, 1);

    assertEquals(4, firstOfThree.getCheckpointId());
    assertEquals("file:/c/job", firstOfThree.getJobDirectory());
    OperatorRestore first = firstOfThree.getOperators(0);
    assertEquals(operator.name(), first.getOperatorId());
    assertEquals(0, first.getKeyGroups().getStart());
    assertEquals(43, first.getKeyGroups().getEnd());
    assertEquals(1, first.getKeyedStateCount());
    assertEquals(2, first.getEntriesCount());
    OperatorRestore second = middle.getOperators(0);
    assertEquals(43, second.getKeyGroups().getStart());
    assertEquals(86, second.getKeyGroups().getEnd());
    assertEquals(2, second.getKeyedStateCount());
    assertEquals(2, second.getEntriesCount());
  }
}
