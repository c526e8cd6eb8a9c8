package dev.weir.checkpoint.restore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertTrue;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.proto.CheckpointKind;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.NamedBytes;
import dev.weir.checkpoint.proto.OperatorRestore;
import dev.weir.checkpoint.proto.StateFormat;
import dev.weir.checkpoint.proto.StateHandle;
import dev.weir.checkpoint.proto.SubtaskRestore;
import dev.weir.checkpoint.proto.SubtaskState;
import dev.weir.checkpoint.storage.CheckpointStorage;
import dev.weir.checkpoint.storage.CompletedCheckpoint;
import dev.weir.checkpoint.storage.OperatorSubtask;
import dev.weir.checkpoint.storage.UploadResult;
import dev.weir.checkpoint.storage.Verification;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroups;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedTimer;
import dev.weir.state.StateKey;
import dev.weir.state.memory.InMemoryKeyedStateBackend;
import dev.weir.state.rocksdb.RocksDbStateBackendFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * The restore path from end to end on {@code file://}, for each backend: two subtasks snapshot
 * and upload their state, the checkpoint completes with both, and a job of parallelism 1, 2 and 3
 * restores it — assignment, download, backend restore — with every key's state and timer in
 * exactly one new subtask, and every source entry in each.
 */
@RunWith(Parameterized.class)
public class RescaleThroughStorageTest {
  private static final int MAX = 128;
  private static final int KEYS = 400;
  private static final String READ = "Read";
  private static final String COUNT = "Count";
  private static final StateNamespace WINDOW =
      StateNamespaces.window(
          IntervalWindow.getCoder(), new IntervalWindow(new Instant(0), new Instant(1000)));
  private static final StateTag<ValueState<String>> VALUE =
      StateTags.value("value", StringUtf8Coder.of());

  @Parameters(name = "{0}")
  public static List<Object[]> backends() {
    return List.of(new Object[] {"rocksdb"}, new Object[] {"heap"});
  }

  private final boolean rocksDb;

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private RocksDbStateBackendFactory factory;
  private URI checkpoints;
  private final List<KeyedStateBackend> open = new ArrayList<>();

  public RescaleThroughStorageTest(String backend) {
    this.rocksDb = backend.equals("rocksdb");
  }

  @Before
  public void createFactoryAndCheckpointDirectory() throws IOException {
    factory = new RocksDbStateBackendFactory(temp.newFolder("state").toPath(), 8L << 20, 4L << 20);
    checkpoints = temp.newFolder("checkpoints").toURI();
  }

  @After
  public void closeBackends() {
    open.forEach(KeyedStateBackend::close);
    factory.close();
  }

  private static StateKey key(int i) {
    String key = "key-" + i;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      StringUtf8Coder.of().encode(key, out, Coder.Context.NESTED);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    byte[] bytes = out.toByteArray();
    return new StateKey(bytes, key, KeyGroups.keyGroupFor(bytes, MAX));
  }

  private static String decode(byte[] keyBytes) throws IOException {
    return StringUtf8Coder.of().decode(new ByteArrayInputStream(keyBytes), Coder.Context.NESTED);
  }

  private StateFormat format() {
    return rocksDb ? StateFormat.ROCKSDB_SNAPSHOT : StateFormat.HEAP_SNAPSHOT;
  }

  private KeyedStateBackend create(int subtask, KeyGroupRange range) {
    KeyedStateBackend backend =
        rocksDb
            ? factory.create(COUNT, subtask, range, IntervalWindow.getCoder())
            : new InMemoryKeyedStateBackend(range);
    open.add(backend);
    return backend;
  }

  private KeyedStateBackend restore(int subtask, KeyGroupRange range, List<Path> snapshots) {
    KeyedStateBackend backend =
        rocksDb
            ? factory.restore(COUNT, subtask, range, IntervalWindow.getCoder(), snapshots)
            : InMemoryKeyedStateBackend.restore(range, IntervalWindow.getCoder(), snapshots);
    open.add(backend);
    return backend;
  }

  private static NamedBytes split(int subtask) {
    return NamedBytes.newBuilder()
        .setName("split-" + subtask)
        .setValue(ByteString.copyFrom("offset " + (100 * subtask), StandardCharsets.UTF_8))
        .build();
  }

  /** Two old subtasks, each with key i's value "v-i" and event timer at 5000 + i for its keys. */
  private CompletedCheckpoint checkpointOfTwoSubtasks(CheckpointStorage storage) throws Exception {
    CheckpointMetadata.Builder metadata =
        CheckpointMetadata.newBuilder()
            .setCheckpointId(1)
            .setKind(CheckpointKind.CHECKPOINT)
            .setMaxParallelism(MAX);
    for (int subtask = 0; subtask < 2; subtask++) {
      KeyGroupRange range = KeyGroupRange.forSubtask(subtask, 2, MAX);
      KeyedStateBackend backend = create(subtask, range);
      for (int i = 0; i < KEYS; i++) {
        StateKey key = key(i);
        if (range.contains(key.keyGroup())) {
          backend.stateInternals(key).state(WINDOW, VALUE).write("v-" + i);
          backend
              .timerInternals(key)
              .setTimer(WINDOW, "t", "", new Instant(5000 + i), new Instant(5000 + i),
                  TimeDomain.EVENT_TIME);
        }
      }
      Path local = temp.newFolder().toPath().resolve("snapshot");
      backend.snapshot(local);
      UploadResult uploaded =
          storage.uploader(new OperatorSubtask(COUNT, subtask)).upload(1, local, format());
      metadata
          .addSubtasks(
              SubtaskState.newBuilder()
                  .setOperatorId(READ)
                  .setSubtaskIndex(subtask)
                  .addEntries(split(subtask)))
          .addSubtasks(
              SubtaskState.newBuilder()
                  .setOperatorId(COUNT)
                  .setSubtaskIndex(subtask)
                  .setKeyGroups(
                      dev.weir.checkpoint.proto.KeyGroupRange.newBuilder()
                          .setStart(range.start())
                          .setEnd(range.end()))
                  .setKeyedState(uploaded.handle()));
    }
    storage.complete(metadata.build());
    return storage.latestValid(Verification.CHECKSUMS).checkpoint().orElseThrow();
  }


  /**
   * Restores every subtask of a job with {@code parallelism} as a worker would: from the
   * SubtaskRestore alone, opening the storage its job directory names; checks that every key's
   * value and timer are in exactly one new subtask, the one owning its key group.
   */
  private void restoreAndCheck(CompletedCheckpoint checkpoint, String jobDirectory, int parallelism)
      throws Exception {
    RestoreAssignment assignment =
        RestoreAssignment.of(checkpoint, jobDirectory, List.of(READ, COUNT), MAX, false);
    Map<String, Integer> ownerOfKey = new HashMap<>();
    Set<String> fired = new HashSet<>();
    for (int subtask = 0; subtask < parallelism; subtask++) {
      KeyGroupRange range = KeyGroupRange.forSubtask(subtask, parallelism, MAX);
      SubtaskRestore restore = assignment.subtask(List.of(READ, COUNT), range);
      OperatorRestore read = restore.getOperators(0);
      OperatorRestore count = restore.getOperators(1);
      assertThat(read.getEntriesList(), containsInAnyOrder(split(0), split(1)));

      List<Path> snapshots = new ArrayList<>();
      try (CheckpointStorage storage =
          CheckpointStorage.openJobDirectory(URI.create(restore.getJobDirectory()), Map.of())) {
        for (StateHandle handle : count.getKeyedStateList()) {
          Path local = temp.newFolder().toPath();
          storage.download(handle, local);
          snapshots.add(local);
        }
      }
      KeyGroupRange owned =
          KeyGroupRange.of(count.getKeyGroups().getStart(), count.getKeyGroups().getEnd());
      assertThat(owned, equalTo(range));
      KeyedStateBackend backend = restore(subtask, owned, snapshots);

      for (int i = 0; i < KEYS; i++) {
        StateKey key = key(i);
        if (range.contains(key.keyGroup())) {
          assertThat(backend.stateInternals(key).state(WINDOW, VALUE).read(), equalTo("v-" + i));
          Integer earlier = ownerOfKey.put("key-" + i, subtask);
          assertTrue("key-" + i + " in subtasks " + earlier + " and " + subtask, earlier == null);
        }
      }
      KeyedTimer timer;
      while ((timer = backend.pollDueTimer(TimeDomain.EVENT_TIME, new Instant(1_000_000))) != null) {
        String key = decode(timer.keyBytes());
        assertTrue(key + " fired outside its subtask", range.contains(key(Integer.parseInt(
            key.substring("key-".length()))).keyGroup()));
        assertThat(
            timer.timer().getTimestamp(),
            equalTo(new Instant(5000 + Integer.parseInt(key.substring("key-".length())))));
        assertTrue(key + " fired twice", fired.add(key));
      }
    }
    assertThat(ownerOfKey.size(), equalTo(KEYS));
    assertThat(fired.size(), equalTo(KEYS));
  }

  @Test
  public void twoSubtasksRestoreIntoOne() throws Exception {
    try (CheckpointStorage storage = CheckpointStorage.open(checkpoints, "job-1", Map.of())) {
      restoreAndCheck(checkpointOfTwoSubtasks(storage), storage.jobDirectory().toString(), 1);
    }
  }

  @Test
  public void twoSubtasksRestoreIntoTwo() throws Exception {
    try (CheckpointStorage storage = CheckpointStorage.open(checkpoints, "job-1", Map.of())) {
      restoreAndCheck(checkpointOfTwoSubtasks(storage), storage.jobDirectory().toString(), 2);
    }
  }

  @Test
  public void twoSubtasksRestoreIntoThree() throws Exception {
    try (CheckpointStorage storage = CheckpointStorage.open(checkpoints, "job-1", Map.of())) {
      restoreAndCheck(checkpointOfTwoSubtasks(storage), storage.jobDirectory().toString(), 3);
    }
  }

  @Test
  public void aSavepointNamedByRestoreFromRestoresIntoThree() throws Exception {
    try (CheckpointStorage storage = CheckpointStorage.open(checkpoints, "job-1", Map.of())) {
      checkpointOfTwoSubtasks(storage);
      storage.savepoint(1);
    }
    // The savepoint stands alone: the checkpoint and its shared files may go.
    Path job = Path.of(checkpoints).resolve("job-1");
    deleteRecursively(job.resolve("chk-1"));
    deleteRecursively(job.resolve("shared"));
    URI savepoint = URI.create(checkpoints + "job-1/savepoint-1");
    try (RestoreSource source = RestoreSource.open(savepoint, Map.of(), Verification.CHECKSUMS)) {
      restoreAndCheck(source.checkpoint(), source.jobDirectory(), 3);
    }
  }

  private static void deleteRecursively(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return; // The heap backend's snapshot file is not shared.
    }
    try (var paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
