package dev.weir.worker.task;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.OperatorRestore;
import dev.weir.checkpoint.proto.SubtaskRestore;
import dev.weir.checkpoint.proto.SubtaskState;
import dev.weir.checkpoint.storage.CheckpointStorage;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.StateKey;
import dev.weir.state.rocksdb.RocksDbStateBackendFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollectionView;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A subtask's checkpoint, uploaded to a {@code file://} directory, restored into a new subtask:
 * its operator's keyed state backend and named entries come back, for the key groups the new
 * subtask owns.
 */
public class RestoredStateTest {
  private static final int MAX_PARALLELISM = 128;
  private static final StateTag<ValueState<String>> VALUE =
      StateTags.value("v", StringUtf8Coder.of());

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private final List<String> log = new ArrayList<>();
  private final RecordingOperator operator = new RecordingOperator("Count/ParDo", log);
  private final RecordingListener listener = new RecordingListener();
  private final CheckpointUploads uploads = new CheckpointUploads();
  private final List<AutoCloseable> resources = new ArrayList<>();

  @After
  public void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    uploads.close();
  }

  @Test
  public void heapStateAndEntriesComeBackInANewSubtask() throws Exception {
    restoresWhatItSnapshotted(StateBackendFactory.inMemory());
  }

  @Test
  public void rocksDbStateAndEntriesComeBackInANewSubtask() throws Exception {
    RocksDbStateBackendFactory rocks =
        new RocksDbStateBackendFactory(temp.newFolder("rocks").toPath(), 16L << 20, 8L << 20);
    resources.add(rocks);
    restoresWhatItSnapshotted(StateBackendFactory.rocksDb(rocks));
  }

  private void restoresWhatItSnapshotted(StateBackendFactory factory) throws Exception {
    String checkpointDir = temp.newFolder("checkpoints").toURI().toString();
    KeyGroupRange all = KeyGroupRange.of(0, MAX_PARALLELISM);
    KeyGroupRange lowerHalf = KeyGroupRange.forSubtask(0, 2, MAX_PARALLELISM);
    StateKey kept = keyIn("kept", lowerHalf, true);
    StateKey elsewhere = keyIn("elsewhere", lowerHalf, false);

    // The old subtask, parallelism 1: writes state, checkpoints.
    OperatorBackends created = new OperatorBackends();
    SubtaskOperatorContext old =
        context(new TaskId("job-1", 0, 0), 1, all, factory, created, RestoredState.none());
    KeyedStateBackend backend = old.createStateBackend(GlobalWindow.Coder.INSTANCE);
    resources.add(backend);
    backend.stateInternals(kept).state(StateNamespaces.global(), VALUE).write("kept value");
    backend.stateInternals(elsewhere).state(StateNamespaces.global(), VALUE).write("other");
    operator.entries = Map.of("split-3", "offset 17".getBytes(StandardCharsets.UTF_8));
    SubtaskOutputs outputs = new SubtaskOutputs();
    OperatorChain chain = new OperatorChain();
    chain.add(operator, List.of());
    new SubtaskCheckpointer(
            new TaskId("job-1", 0, 0),
            List.of(operator.name()),
            List.of(operator),
            created,
            all,
            new CurrentBundle(chain, outputs),
            outputs,
            factory,
            uploads,
            checkpointDir,
            listener,
            new org.apache.beam.runners.core.metrics.MetricsContainerStepMap())
        .checkpoint(5);
    AcknowledgeCheckpoint ack = listener.nextAck();
    SubtaskState state = ack.getOperators(0);

    // Restart with parallelism 2: subtask 0 of attempt 1 gets the lower half of the key groups.
    URI jobDirectory;
    try (CheckpointStorage storage =
        CheckpointStorage.open(URI.create(checkpointDir), "job-1", Map.of())) {
      jobDirectory = storage.jobDirectory();
    }
    SubtaskRestore restore =
        SubtaskRestore.newBuilder()
            .setCheckpointId(5)
            .setJobDirectory(jobDirectory.toString())
            .addOperators(
                OperatorRestore.newBuilder()
                    .setOperatorId(operator.name())
                    .setKeyGroups(
                        dev.weir.checkpoint.proto.KeyGroupRange.newBuilder()
                            .setStart(lowerHalf.start())
                            .setEnd(lowerHalf.end()))
                    .addKeyedState(state.getKeyedState())
                    .addAllEntries(state.getEntriesList()))
            .build();
    SubtaskOperatorContext restarted =
        context(
            new TaskId("job-1", 0, 0, 1),
            2,
            lowerHalf,
            factory,
            new OperatorBackends(),
            new RestoredState(restore));
    KeyedStateBackend restored = restarted.createStateBackend(GlobalWindow.Coder.INSTANCE);
    resources.add(restored);

    assertEquals(
        "kept value",
        restored.stateInternals(kept).state(StateNamespaces.global(), VALUE).read());
    assertEquals(lowerHalf, restored.keyGroupRange());
    assertEquals(
        "offset 17",
        new String(restarted.restoredEntries().get("split-3"), StandardCharsets.UTF_8));
    // A key of the other half is not this subtask's.
    assertThrows(
        RuntimeException.class,
        () -> restored.stateInternals(elsewhere).state(StateNamespaces.global(), VALUE).read());
  }

  @Test
  public void anOperatorTheCheckpointDoesNotNameStartsEmpty() throws Exception {
    SubtaskRestore restore =
        SubtaskRestore.newBuilder()
            .setCheckpointId(5)
            .setJobDirectory(temp.getRoot().toURI() + "job-1")
            .addOperators(OperatorRestore.newBuilder().setOperatorId("Another/Step"))
            .build();
    KeyGroupRange all = KeyGroupRange.of(0, MAX_PARALLELISM);
    SubtaskOperatorContext context =
        context(
            new TaskId("job-1", 0, 0, 1),
            1,
            all,
            StateBackendFactory.inMemory(),
            new OperatorBackends(),
            new RestoredState(restore));
    KeyedStateBackend backend = context.createStateBackend(GlobalWindow.Coder.INSTANCE);
    resources.add(backend);

    assertNull(
        backend
            .stateInternals(keyIn("k", all, true))
            .state(StateNamespaces.global(), VALUE)
            .read());
    assertEquals(Map.of(), context.restoredEntries());
  }

  private SubtaskOperatorContext context(
      TaskId task,
      int parallelism,
      KeyGroupRange keyGroups,
      StateBackendFactory factory,
      OperatorBackends created,
      RestoredState restored) {
    OperatorChain chain = new OperatorChain();
    SubtaskOutputs outputs = new SubtaskOutputs();
    CurrentBundle bundle = new CurrentBundle(chain, outputs);
    SubtaskTime time =
        new SubtaskTime(
            true,
            () -> new Instant(0),
            chain,
            outputs,
            bundle,
            new InputChannels(new PCollectionView<?>[0]));
    return new SubtaskOperatorContext(
        task,
        parallelism,
        MAX_PARALLELISM,
        PipelineOptionsFactory.create(),
        keyGroups,
        Map.of(),
        new MetricsContainerStepMap(),
        operator.name(),
        factory,
        time,
        created,
        restored,
        true);
  }

  /** The first key "prefix-N" whose key group is ({@code inside}) or is not in {@code range}. */
  private static StateKey keyIn(String prefix, KeyGroupRange range, boolean inside) {
    for (int i = 0; ; i++) {
      StateKey key = CheckpointAlignmentTest.key(prefix + "-" + i);
      if (range.contains(key.keyGroup()) == inside) {
        return key;
      }
    }
  }
}
