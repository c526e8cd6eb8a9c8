package dev.weir.checkpoint.restore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.proto.CheckpointKind;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.NamedBytes;
import dev.weir.checkpoint.proto.OperatorRestore;
import dev.weir.checkpoint.proto.StateFile;
import dev.weir.checkpoint.proto.StateFormat;
import dev.weir.checkpoint.proto.StateHandle;
import dev.weir.checkpoint.proto.SubtaskRestore;
import dev.weir.checkpoint.proto.SubtaskState;
import dev.weir.state.KeyGroupRange;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.Test;

public class RestoreAssignmentTest {
  private static final int MAX = 128;
  private static final String JOB_DIR = "file:///checkpoints/job-1";
  private static final String READ = "Read/Impulse";
  private static final String GBK = "GroupByKey";
  private static final String MAP = "Map";
  private static final List<String> PLAN = List.of(READ, GBK, MAP);

  private static StateHandle handle(String name) {
    return StateHandle.newBuilder()
        .setFormat(StateFormat.ROCKSDB_SNAPSHOT)
        .addFiles(
            StateFile.newBuilder()
                .setPath("shared/7/" + name + "/000009.sst")
                .setLocalName("000009.sst")
                .setSizeBytes(10))
        .build();
  }

  private static dev.weir.checkpoint.proto.KeyGroupRange range(int start, int end) {
    return dev.weir.checkpoint.proto.KeyGroupRange.newBuilder()
        .setStart(start)
        .setEnd(end)
        .build();
  }

  private static NamedBytes entry(String name, String value) {
    return NamedBytes.newBuilder()
        .setName(name)
        .setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8))
        .build();
  }

  private static SubtaskState keyed(String operator, int subtask, int start, int end) {
    return SubtaskState.newBuilder()
        .setOperatorId(operator)
        .setSubtaskIndex(subtask)
        .setKeyGroups(range(start, end))
        .setKeyedState(handle(operator + "-" + subtask))
        .build();
  }

  private static SubtaskState withEntries(String operator, int subtask, NamedBytes... entries) {
    return SubtaskState.newBuilder()
        .setOperatorId(operator)
        .setSubtaskIndex(subtask)
        .addAllEntries(List.of(entries))
        .build();
  }

  /** Two old subtasks: a source with one split each, a keyed operator, a stateless one. */
  private static CheckpointMetadata.Builder twoSubtasks() {
    return CheckpointMetadata.newBuilder()
        .setJobId("job-1")
        .setCheckpointId(7)
        .setKind(CheckpointKind.CHECKPOINT)
        .setMaxParallelism(MAX)
        .addSubtasks(withEntries(READ, 0, entry("split-0", "offset 10")))
        .addSubtasks(withEntries(READ, 1, entry("split-1", "offset 20")))
        .addSubtasks(keyed(GBK, 0, 0, 64))
        .addSubtasks(keyed(GBK, 1, 64, 128))
        .addSubtasks(withEntries(MAP, 0))
        .addSubtasks(withEntries(MAP, 1));
  }

  private static RestoreAssignment assignment(CheckpointMetadata metadata) {
    return RestoreAssignment.of(metadata, JOB_DIR, PLAN, MAX, false);
  }

  private static Map<String, OperatorRestore> byOperator(SubtaskRestore restore) {
    return restore.getOperatorsList().stream()
        .collect(Collectors.toMap(OperatorRestore::getOperatorId, Function.identity()));
  }

  private static List<StateHandle> keyedOf(SubtaskRestore restore, String operator) {
    return byOperator(restore).get(operator).getKeyedStateList();
  }

  private static SubtaskRestore subtask(RestoreAssignment assignment, int index, int parallelism) {
    return assignment.subtask(PLAN, KeyGroupRange.forSubtask(index, parallelism, MAX));
  }

  @Test
  public void theSameParallelismGetsEachSubtaskItsOwnKeyedState() {
    RestoreAssignment assignment = assignment(twoSubtasks().build());

    assertThat(keyedOf(subtask(assignment, 0, 2), GBK), contains(handle(GBK + "-0")));
    assertThat(keyedOf(subtask(assignment, 1, 2), GBK), contains(handle(GBK + "-1")));
  }

  @Test
  public void parallelismOneGetsTheKeyedStateOfBothOldSubtasks() {
    SubtaskRestore restore = subtask(assignment(twoSubtasks().build()), 0, 1);

    assertThat(keyedOf(restore, GBK), contains(handle(GBK + "-0"), handle(GBK + "-1")));
    assertThat(byOperator(restore).get(GBK).getKeyGroups(), equalTo(range(0, 128)));
  }

  @Test
  public void parallelismThreeGetsEveryOldSubtaskThatOverlaps() {
    RestoreAssignment assignment = assignment(twoSubtasks().build());

    // New ranges [0, 43), [43, 86), [86, 128) against old [0, 64), [64, 128).
    assertThat(keyedOf(subtask(assignment, 0, 3), GBK), contains(handle(GBK + "-0")));
    assertThat(
        keyedOf(subtask(assignment, 1, 3), GBK),
        contains(handle(GBK + "-0"), handle(GBK + "-1")));
    assertThat(keyedOf(subtask(assignment, 2, 3), GBK), contains(handle(GBK + "-1")));
    assertThat(
        byOperator(subtask(assignment, 1, 3)).get(GBK).getKeyGroups(), equalTo(range(43, 86)));
  }

  @Test
  public void everyNewSubtaskGetsTheEntriesOfAllOldSubtasks() {
    RestoreAssignment assignment = assignment(twoSubtasks().build());

    for (int i = 0; i < 3; i++) {
      assertThat(
          byOperator(subtask(assignment, i, 3)).get(READ).getEntriesList(),
          contains(entry("split-0", "offset 10"), entry("split-1", "offset 20")));
    }
  }

  @Test
  public void theRestoreNamesTheCheckpointAndTheJobDirectory() {
    SubtaskRestore restore = subtask(assignment(twoSubtasks().build()), 0, 1);

    assertThat(restore.getCheckpointId(), equalTo(7L));
    assertThat(restore.getJobDirectory(), equalTo(JOB_DIR));
    assertThat(
        restore.getOperatorsList().stream().map(OperatorRestore::getOperatorId).toList(),
        equalTo(PLAN));
  }

  @Test
  public void anEntryWrittenTwiceWithTheSameBytesIsRestoredOnce() {
    CheckpointMetadata metadata =
        twoSubtasks().addSubtasks(withEntries(READ, 2, entry("split-0", "offset 10"))).build();

    assertThat(
        byOperator(subtask(assignment(metadata), 0, 1)).get(READ).getEntriesList(),
        contains(entry("split-0", "offset 10"), entry("split-1", "offset 20")));
  }

  @Test
  public void anEntryNameWithTwoDifferentValuesIsRefused() {
    CheckpointMetadata metadata =
        twoSubtasks().addSubtasks(withEntries(READ, 2, entry("split-0", "offset 99"))).build();

    IncompatibleCheckpointException e =
        assertThrows(IncompatibleCheckpointException.class, () -> assignment(metadata));
    assertThat(
        e.getMessage(),
        allOf(containsString(READ), containsString("'split-0'"), containsString("subtasks 0 and 2")));
  }

  @Test
  public void anOperatorNewInThePlanRestoresNothing() {
    RestoreAssignment assignment =
        RestoreAssignment.of(
            twoSubtasks().build(), JOB_DIR, List.of(READ, GBK, MAP, "NewStep"), MAX, false);

    OperatorRestore added =
        byOperator(
                assignment.subtask(
                    List.of(GBK, "NewStep"), KeyGroupRange.forSubtask(0, 1, MAX)))
            .get("NewStep");

    assertThat(added.getKeyedStateList(), empty());
    assertThat(added.getEntriesList(), empty());
    assertThat(added.getKeyGroups(), equalTo(range(0, 128)));
  }

  @Test
  public void stateOfOperatorsThePlanLacksIsRefusedNamingThem() {
    IncompatibleCheckpointException e =
        assertThrows(
            IncompatibleCheckpointException.class,
            () -> RestoreAssignment.of(twoSubtasks().build(), JOB_DIR, List.of(MAP), MAX, false));

    assertThat(
        e.getMessage(),
        allOf(
            containsString("checkpoint 7 of job job-1"),
            containsString(GBK + ", " + READ),
            containsString("would be lost")));
  }

  @Test
  public void stateOfOperatorsThePlanLacksIsDroppedWhenAllowed() {
    RestoreAssignment assignment =
        RestoreAssignment.of(twoSubtasks().build(), JOB_DIR, List.of(MAP), MAX, true);

    SubtaskRestore restore = assignment.subtask(List.of(MAP), KeyGroupRange.forSubtask(0, 1, MAX));
    assertThat(restore.getOperatorsCount(), equalTo(1));
    assertThat(restore.getOperators(0).getKeyedStateList(), empty());
  }

  @Test
  public void aStatelessOperatorThePlanLacksIsNoLoss() {
    RestoreAssignment assignment =
        RestoreAssignment.of(twoSubtasks().build(), JOB_DIR, List.of(READ, GBK), MAX, false);

    assertThat(
        keyedOf(assignment.subtask(List.of(GBK), KeyGroupRange.forSubtask(0, 1, MAX)), GBK)
            .size(),
        equalTo(2));
  }

  @Test
  public void anotherMaxParallelismIsRefusedNamingTheOption() {
    IncompatibleCheckpointException e =
        assertThrows(
            IncompatibleCheckpointException.class,
            () -> RestoreAssignment.of(twoSubtasks().build(), JOB_DIR, PLAN, 256, false));

    assertThat(
        e.getMessage(),
        allOf(containsString("--maxParallelism=128"), containsString("cannot be remapped")));
  }

  @Test
  public void withoutARecordedMaxParallelismRangesBeyondTheNewOneAreRefused() {
    CheckpointMetadata unrecorded = twoSubtasks().clearMaxParallelism().build();

    IncompatibleCheckpointException e =
        assertThrows(
            IncompatibleCheckpointException.class,
            () -> RestoreAssignment.of(unrecorded, JOB_DIR, PLAN, 64, false));
    assertThat(
        e.getMessage(), allOf(containsString("key group 127"), containsString("--maxParallelism=64")));
    // The same number of key groups is accepted.
    assertThat(
        keyedOf(subtask(RestoreAssignment.of(unrecorded, JOB_DIR, PLAN, MAX, false), 0, 1), GBK)
            .size(),
        equalTo(2));
  }

  @Test
  public void oldSubtasksClaimingTheSameKeyGroupsAreRefused() {
    CheckpointMetadata metadata = twoSubtasks().addSubtasks(keyed(GBK, 2, 60, 70)).build();

    IncompatibleCheckpointException e =
        assertThrows(IncompatibleCheckpointException.class, () -> assignment(metadata));
    assertThat(
        e.getMessage(),
        allOf(containsString("subtasks 0 and 2 of operator " + GBK), containsString("60 to 64")));
  }

  @Test
  public void keyedStateWithoutARangeIsRefused() {
    CheckpointMetadata metadata =
        twoSubtasks()
            .addSubtasks(
                SubtaskState.newBuilder()
                    .setOperatorId(GBK)
                    .setSubtaskIndex(2)
                    .setKeyedState(handle("x")))
            .build();

    IncompatibleCheckpointException e =
        assertThrows(IncompatibleCheckpointException.class, () -> assignment(metadata));
    assertThat(e.getMessage(), containsString("no valid key-group range"));
  }
}
