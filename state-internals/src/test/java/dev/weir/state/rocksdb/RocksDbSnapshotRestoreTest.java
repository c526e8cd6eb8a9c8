package dev.weir.state.rocksdb;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedTimer;
import dev.weir.state.StateKey;
import dev.weir.state.TestKeys;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.state.WatermarkHoldState;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.joda.time.Instant;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** Local snapshots, restore into other key-group ranges, reopen, and refusing foreign dirs. */
public class RocksDbSnapshotRestoreTest {
  private static final int KEYS = 200;
  private static final KeyGroupRange ALL = KeyGroupRange.of(0, TestKeys.MAX_PARALLELISM);
  private static final KeyGroupRange LOWER = KeyGroupRange.forSubtask(0, 2, TestKeys.MAX_PARALLELISM);
  private static final StateTag<ValueState<String>> VALUE =
      StateTags.value("value", StringUtf8Coder.of());
  private static final StateTag<BagState<Integer>> BAG = StateTags.bag("bag", VarIntCoder.of());
  private static final StateTag<WatermarkHoldState> HOLD =
      StateTags.watermarkStateInternal("hold", TimestampCombiner.EARLIEST);
  private static final StateNamespace WINDOW =
      StateNamespaces.window(
          IntervalWindow.getCoder(), new IntervalWindow(new Instant(0), new Instant(1000)));

  private static RocksDbResources resources;

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  @BeforeClass
  public static void createResources() {
    resources = RocksDbResources.forTests();
  }

  @AfterClass
  public static void closeResources() {
    resources.close();
  }

  private RocksDbKeyedStateBackend open(Path dir, KeyGroupRange range, boolean deleteOnClose) {
    return RocksDbKeyedStateBackend.open(
        dir, range, resources, IntervalWindow.getCoder(), deleteOnClose);
  }

  private Path newDir() throws Exception {
    return temp.newFolder().toPath().resolve("db");
  }

  /** Key i: value "v-i", bag [i], hold at 1000+i, an event-time timer at 5000+i in a window. */
  private static void fill(RocksDbKeyedStateBackend backend) {
    for (int i = 0; i < KEYS; i++) {
      StateKey key = TestKeys.of("key-" + i);
      backend.stateInternals(key).state(WINDOW, VALUE).write("v-" + i);
      backend.stateInternals(key).state(WINDOW, BAG).add(i);
      backend.stateInternals(key).state(WINDOW, HOLD).add(new Instant(1000 + i));
      backend
          .timerInternals(key)
          .setTimer(WINDOW, "t", "", new Instant(5000 + i), new Instant(5000 + i), TimeDomain.EVENT_TIME);
    }
  }

  private static long expectedMinHold(KeyGroupRange range) {
    for (int i = 0; i < KEYS; i++) {
      if (range.contains(TestKeys.of("key-" + i).keyGroup())) {
        return 1000 + i;
      }
    }
    return BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis();
  }

  @Test
  public void timersOfARestoreIntoAnotherRangeCanBeSetAgainAndDeleted() throws Exception {
    Path snapshot = temp.getRoot().toPath().resolve("snapshot");
    try (RocksDbKeyedStateBackend source = open(newDir(), ALL, true)) {
      fill(source);
      source.snapshot(snapshot);
    }
    for (KeyGroupRange range : List.of(LOWER, KeyGroupRange.forSubtask(1, 2, TestKeys.MAX_PARALLELISM), ALL)) {
      try (RocksDbKeyedStateBackend restored =
          RocksDbKeyedStateBackend.restore(
              newDir(), range, resources, IntervalWindow.getCoder(), true, List.of(snapshot))) {
        int owned = 0;
        for (int i = 0; i < KEYS; i++) {
          StateKey key = TestKeys.of("key-" + i);
          if (!range.contains(key.keyGroup())) {
            continue;
          }
          owned++;
          restored
              .timerInternals(key)
              .setTimer(WINDOW, "t", "", new Instant(7000 + i), new Instant(7000 + i), TimeDomain.EVENT_TIME);
          restored
              .timerInternals(key)
              .setTimer(WINDOW, "u", "", new Instant(8000 + i), new Instant(8000 + i), TimeDomain.EVENT_TIME);
          restored.timerInternals(key).deleteTimer(WINDOW, "u", "", TimeDomain.EVENT_TIME);
        }
        int fired = 0;
        KeyedTimer timer;
        while ((timer = restored.pollDueTimer(TimeDomain.EVENT_TIME, new Instant(10_000))) != null) {
          assertThat(timer.timer().getTimestamp().getMillis(), org.hamcrest.Matchers.greaterThanOrEqualTo(7000L));
          fired++;
        }
        assertThat(range + " fires each owned key's re-set timer once", fired, equalTo(owned));
      }
    }
  }

  /**
   * Found by the kill test: after restores with range deletions, re-setting a timer read an empty
   * value for its by-id entry through keyMayExist and failed.
   */
  @Test
  public void timersSurviveRepeatedSnapshotRestoreCyclesWhileFiringAndBeingReset()
      throws Exception {
    KeyGroupRange range = KeyGroupRange.forSubtask(1, 3, TestKeys.MAX_PARALLELISM);
    List<StateKey> keys = new ArrayList<>();
    for (int i = 0; keys.size() < 2000; i++) {
      StateKey key = TestKeys.of("k" + i);
      if (range.contains(key.keyGroup())) {
        keys.add(key);
      }
    }
    RocksDbKeyedStateBackend backend = open(newDir(), range, true);
    long now = 0;
    try {
      for (int cycle = 0; cycle < 4; cycle++) {
        for (int round = 0; round < 5; round++) {
          now += 100;
          for (StateKey key : keys) {
            backend.stateInternals(key).state(WINDOW, BAG).add(round);
            backend
                .timerInternals(key)
                .setTimer(WINDOW, "emit", "", new Instant(now), new Instant(now), TimeDomain.EVENT_TIME);
          }
          // Fires the previous round's timers; this round's stay set across the snapshot.
          while (backend.pollDueTimer(TimeDomain.EVENT_TIME, new Instant(now - 50)) != null) {}
        }
        Path snapshot = temp.getRoot().toPath().resolve("snapshot-" + cycle);
        backend.snapshot(snapshot);
        backend.close();
        backend =
            RocksDbKeyedStateBackend.restore(
                newDir(), range, resources, IntervalWindow.getCoder(), true, List.of(snapshot));
      }
      int fired = 0;
      while (backend.pollDueTimer(TimeDomain.EVENT_TIME, new Instant(now)) != null) {
        fired++;
      }
      assertThat(fired, equalTo(keys.size()));
    } finally {
      backend.close();
    }
  }

  @Test
  public void restoreIntoASmallerRangeKeepsExactlyTheOwnedKeyGroups() throws Exception {
    Path snapshot = temp.getRoot().toPath().resolve("snapshot");
    try (RocksDbKeyedStateBackend source = open(newDir(), ALL, true)) {
      fill(source);
      source.snapshot(snapshot);
    }

    try (RocksDbKeyedStateBackend restored =
        RocksDbKeyedStateBackend.restore(
            newDir(), LOWER, resources, IntervalWindow.getCoder(), true, List.of(snapshot))) {
      assertThat(restored.minWatermarkHold().getMillis(), equalTo(expectedMinHold(LOWER)));

      Set<String> owned = new HashSet<>();
      for (int i = 0; i < KEYS; i++) {
        StateKey key = TestKeys.of("key-" + i);
        if (LOWER.contains(key.keyGroup())) {
          owned.add("key-" + i);
          assertThat(restored.stateInternals(key).state(WINDOW, VALUE).read(), equalTo("v-" + i));
        }
      }
      assertTrue("test needs keys on both sides", owned.size() > 0 && owned.size() < KEYS);

      Set<String> fired = new HashSet<>();
      KeyedTimer timer;
      while ((timer = restored.pollDueTimer(TimeDomain.EVENT_TIME, new Instant(10_000))) != null) {
        assertThat(timer.timer().getNamespace(), equalTo(WINDOW));
        fired.add(StringUtf8Coder.of().decode(new ByteArrayInputStream(timer.keyBytes())));
      }
      assertThat(fired, equalTo(owned));
      // Timer holds are gone once fired; state holds remain.
      assertThat(restored.minWatermarkHold().getMillis(), equalTo(expectedMinHold(LOWER)));
    }
  }

  @Test
  public void restoringTwoHalvesIntoOneRangeMergesThem() throws Exception {
    Path all = temp.getRoot().toPath().resolve("all");
    try (RocksDbKeyedStateBackend source = open(newDir(), ALL, true)) {
      fill(source);
      source.snapshot(all);
    }
    KeyGroupRange upper = KeyGroupRange.forSubtask(1, 2, TestKeys.MAX_PARALLELISM);
    Path lowerSnap = temp.getRoot().toPath().resolve("lower");
    Path upperSnap = temp.getRoot().toPath().resolve("upper");
    try (RocksDbKeyedStateBackend lower =
            RocksDbKeyedStateBackend.restore(
                newDir(), LOWER, resources, IntervalWindow.getCoder(), true, List.of(all));
        RocksDbKeyedStateBackend high =
            RocksDbKeyedStateBackend.restore(
                newDir(), upper, resources, IntervalWindow.getCoder(), true, List.of(all))) {
      lower.snapshot(lowerSnap);
      high.snapshot(upperSnap);
    }
    try (RocksDbKeyedStateBackend merged =
        RocksDbKeyedStateBackend.restore(
            newDir(), ALL, resources, IntervalWindow.getCoder(), true, List.of(lowerSnap, upperSnap))) {
      for (int i = 0; i < KEYS; i++) {
        assertThat(
            merged.stateInternals(TestKeys.of("key-" + i)).state(WINDOW, VALUE).read(),
            equalTo("v-" + i));
      }
      assertThat(merged.minWatermarkHold().getMillis(), equalTo(1000L));
      assertThat(merged.nextTimerTimestamp(TimeDomain.EVENT_TIME), equalTo(new Instant(5000)));
    }
  }

  @Test
  public void bagElementsAddedAfterRestoreDoNotOverwriteRestoredOnes() throws Exception {
    Path snapshot = temp.getRoot().toPath().resolve("snapshot");
    StateKey key = TestKeys.of("key-0");
    try (RocksDbKeyedStateBackend source = open(newDir(), ALL, true)) {
      source.stateInternals(key).state(WINDOW, BAG).add(1);
      source.snapshot(snapshot);
    }
    try (RocksDbKeyedStateBackend restored =
        RocksDbKeyedStateBackend.restore(
            newDir(), ALL, resources, IntervalWindow.getCoder(), true, List.of(snapshot))) {
      BagState<Integer> bag = restored.stateInternals(key).state(WINDOW, BAG);
      bag.add(2);
      List<Integer> read = new ArrayList<>();
      bag.read().forEach(read::add);
      assertThat(read, equalTo(List.of(1, 2)));
    }
  }

  @Test
  public void reopeningAClosedBackendFindsItsStateTimersAndHolds() throws Exception {
    Path dir = newDir();
    try (RocksDbKeyedStateBackend backend = open(dir, ALL, false)) {
      fill(backend);
    }
    try (RocksDbKeyedStateBackend reopened = open(dir, ALL, true)) {
      assertThat(reopened.minWatermarkHold(), equalTo(new Instant(1000)));
      assertThat(reopened.nextTimerTimestamp(TimeDomain.EVENT_TIME), equalTo(new Instant(5000)));
      assertThat(
          reopened.stateInternals(TestKeys.of("key-7")).state(WINDOW, VALUE).read(),
          equalTo("v-7"));
    }
    assertFalse(Files.exists(dir));
  }

  @Test
  public void aDirectoryWithOtherFilesIsRefusedNamingThePath() throws Exception {
    Path dir = newDir();
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("notes.txt"), "not state");
    RocksDbStateException e = assertThrows(RocksDbStateException.class, () -> open(dir, ALL, false));
    assertThat(e.getMessage(), containsString(dir.toString()));
  }

  @Test
  public void aCorruptDatabaseIsRefusedNamingThePath() throws Exception {
    Path dir = newDir();
    try (RocksDbKeyedStateBackend backend = open(dir, ALL, false)) {
      fill(backend);
    }
    Files.writeString(dir.resolve("CURRENT"), "garbage\n");
    RocksDbStateException e = assertThrows(RocksDbStateException.class, () -> open(dir, ALL, false));
    assertThat(e.getMessage(), containsString(dir.toString()));
  }

  @Test
  public void aForeignRocksDbIsRefusedNamingThePath() throws Exception {
    Path dir = newDir();
    try (Options options = new Options().setCreateIfMissing(true);
        RocksDB db = RocksDB.open(options, dir.toString())) {
      db.put("foreign".getBytes(StandardCharsets.UTF_8), new byte[1]);
    }
    RocksDbStateException e = assertThrows(RocksDbStateException.class, () -> open(dir, ALL, false));
    assertThat(e.getMessage(), containsString(dir.toString()));
  }

  @Test
  public void factoryCreatesAndRemovesItsStateDirectoryWithoutLeakingFileHandles()
      throws Exception {
    Path parent = temp.newFolder().toPath();
    Path stateDir;
    long fdsBefore = -1;
    try (RocksDbStateBackendFactory factory =
        new RocksDbStateBackendFactory(parent, 8L << 20, 4L << 20)) {
      stateDir = factory.stateDirectory();
      assertTrue(Files.isDirectory(stateDir));
      for (int i = 0; i < 60; i++) {
        if (i == 10) {
          fdsBefore = openFileDescriptors();
        }
        try (RocksDbKeyedStateBackend backend =
            factory.create("op/1", 0, LOWER, IntervalWindow.getCoder())) {
          backend.stateInternals(TestKeys.inRange("k", LOWER)).state(WINDOW, VALUE).write("x");
        }
      }
      assertThat(openFileDescriptors(), lessThanOrEqualTo(fdsBefore + 5));
      File[] left = stateDir.toFile().listFiles();
      assertThat(left.length, equalTo(0));
    }
    assertFalse(Files.exists(stateDir));
  }

  /**
   * RocksDB preallocates each write-ahead log file (1.1 × the write buffer, capped by the
   * write-buffer budget: 64 MiB with Weir's defaults) although Weir writes state without the log:
   * every operator subtask's state directory took 64 MiB of disk for a log of a few bytes.
   */
  @Test
  public void anOpenBackendTakesLittleDiskWithTheDefaultWriteBufferBudget() throws Exception {
    Path parent = temp.newFolder().toPath();
    try (RocksDbStateBackendFactory factory =
            new RocksDbStateBackendFactory(parent, 256L << 20, 64L << 20);
        RocksDbKeyedStateBackend backend =
            factory.create("op", 0, LOWER, IntervalWindow.getCoder())) {
      backend.stateInternals(TestKeys.inRange("k", LOWER)).state(WINDOW, VALUE).write("x");
      Process du = new ProcessBuilder("du", "-sk", backend.directory().toString()).start();
      String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(du.waitFor(), equalTo(0));
      long kib = Long.parseLong(out.trim().split("\\s+")[0]);
      assertThat("KiB allocated on disk", kib, lessThanOrEqualTo(8L << 10));
    }
  }

  private static long openFileDescriptors() throws Exception {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  @Test
  public void aClosedBackendRefusesUse() throws Exception {
    RocksDbKeyedStateBackend backend = open(newDir(), ALL, true);
    backend.close();
    backend.close();
    assertThrows(IllegalStateException.class, () -> backend.minWatermarkHold());
  }

  private static List<Path> sstFiles(Path directory) throws Exception {
    try (var files = Files.list(directory)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".sst")).sorted().toList();
    }
  }

  @Test
  public void restoringTheSameRangeLinksTheSnapshotsFilesInsteadOfCopyingKeys() throws Exception {
    Path snapshot = temp.getRoot().toPath().resolve("snapshot");
    try (RocksDbKeyedStateBackend source = open(newDir(), LOWER, true)) {
      for (int i = 0; i < KEYS; i++) {
        StateKey key = TestKeys.of("key-" + i);
        if (LOWER.contains(key.keyGroup())) {
          source.stateInternals(key).state(WINDOW, VALUE).write("v-" + i);
        }
      }
      source.snapshot(snapshot);
    }
    assertFalse("test needs SST files", sstFiles(snapshot).isEmpty());
    Path dir = newDir();
    StateKey key = TestKeys.inRange("key", LOWER);

    try (RocksDbKeyedStateBackend restored =
        RocksDbKeyedStateBackend.restore(
            dir, LOWER, resources, IntervalWindow.getCoder(), false, List.of(snapshot))) {
      for (Path sst : sstFiles(snapshot)) {
        assertTrue(
            sst.getFileName() + " is the snapshot's file",
            Files.isSameFile(sst, dir.resolve(sst.getFileName())));
      }
      assertThat(restored.stateInternals(key).state(WINDOW, VALUE).read(), equalTo("v-0"));
      restored.stateInternals(key).state(WINDOW, VALUE).write("changed");
    }
    // Writes to the restored backend leave the snapshot as it was.
    try (RocksDbKeyedStateBackend again =
        RocksDbKeyedStateBackend.restore(
            newDir(), LOWER, resources, IntervalWindow.getCoder(), true, List.of(snapshot))) {
      assertThat(again.stateInternals(key).state(WINDOW, VALUE).read(), equalTo("v-0"));
    }
  }

  @Test
  public void restoringPartOfASnapshotsRangeLinksItsFilesAndDropsTheOtherKeyGroupsForGood()
      throws Exception {
    Path snapshot = temp.getRoot().toPath().resolve("snapshot");
    try (RocksDbKeyedStateBackend source = open(newDir(), ALL, true)) {
      fill(source);
      source.snapshot(snapshot);
    }
    Path dir = newDir();
    Path clipped = temp.getRoot().toPath().resolve("clipped");

    try (RocksDbKeyedStateBackend restored =
        RocksDbKeyedStateBackend.restore(
            dir, LOWER, resources, IntervalWindow.getCoder(), true, List.of(snapshot))) {
      for (Path sst : sstFiles(snapshot)) {
        assertTrue(Files.isSameFile(sst, dir.resolve(sst.getFileName())));
      }
      assertThat(restored.minWatermarkHold().getMillis(), equalTo(expectedMinHold(LOWER)));
      restored.snapshot(clipped);
    }
    // The other key groups' keys are still in the linked files, deleted: a snapshot of the
    // restored backend restored into every key group must not bring them back.
    try (RocksDbKeyedStateBackend all =
        RocksDbKeyedStateBackend.restore(
            newDir(), ALL, resources, IntervalWindow.getCoder(), true, List.of(clipped))) {
      Set<String> fired = new HashSet<>();
      KeyedTimer timer;
      while ((timer = all.pollDueTimer(TimeDomain.EVENT_TIME, new Instant(10_000))) != null) {
        fired.add(TestKeys.decode(timer.keyBytes()));
      }
      Set<String> owned = new HashSet<>();
      for (int i = 0; i < KEYS; i++) {
        StateKey key = TestKeys.of("key-" + i);
        if (LOWER.contains(key.keyGroup())) {
          owned.add("key-" + i);
        } else {
          assertThat(all.stateInternals(key).state(WINDOW, VALUE).read(), equalTo(null));
        }
      }
      assertThat(fired, equalTo(owned));
      assertThat(all.minWatermarkHold().getMillis(), equalTo(expectedMinHold(LOWER)));
    }
  }

  @Test
  public void restoringPartOfASnapshotWithoutLinkingCopiesOnlyItsKeyGroups() throws Exception {
    Path snapshot = temp.getRoot().toPath().resolve("snapshot");
    try (RocksDbKeyedStateBackend source = open(newDir(), ALL, true)) {
      fill(source);
      source.snapshot(snapshot);
    }
    Path dir = newDir();

    try (RocksDbKeyedStateBackend restored =
        RocksDbKeyedStateBackend.restore(
            dir, LOWER, resources, IntervalWindow.getCoder(), true, List.of(snapshot), false)) {
      for (Path sst : sstFiles(dir)) {
        Path same = snapshot.resolve(sst.getFileName());
        assertFalse(Files.exists(same) && Files.isSameFile(sst, same));
      }
      assertThat(restored.minWatermarkHold().getMillis(), equalTo(expectedMinHold(LOWER)));
    }
  }

  /** Removes the key-group range from a snapshot, as snapshots written before it was stored. */
  private static void forgetKeyGroups(Path snapshot) throws Exception {
    List<org.rocksdb.ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    try (Options options = new Options()) {
      for (byte[] name : RocksDB.listColumnFamilies(options, snapshot.toString())) {
        descriptors.add(new org.rocksdb.ColumnFamilyDescriptor(name));
      }
    }
    List<org.rocksdb.ColumnFamilyHandle> handles = new ArrayList<>();
    try (org.rocksdb.DBOptions options = new org.rocksdb.DBOptions();
        RocksDB db = RocksDB.open(options, snapshot.toString(), descriptors, handles)) {
      db.delete(handles.get(0), RocksDbKeyedStateBackend.KEY_GROUPS_KEY);
      db.flushWal(true);
      handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
    }
  }

  @Test
  public void snapshotsThatDoNotSayTheirRangeAreCheckedByWhatTheyHold() throws Exception {
    Path first = temp.getRoot().toPath().resolve("first");
    Path second = temp.getRoot().toPath().resolve("second");
    try (RocksDbKeyedStateBackend source = open(newDir(), ALL, true)) {
      fill(source);
      source.snapshot(first);
      source.snapshot(second);
    }
    forgetKeyGroups(first);
    forgetKeyGroups(second);

    RocksDbStateException e =
        assertThrows(
            RocksDbStateException.class,
            () ->
                RocksDbKeyedStateBackend.restore(
                    newDir(), ALL, resources, IntervalWindow.getCoder(), true,
                    List.of(first, second)));
    assertThat(e.getMessage(), containsString("has state in both snapshot " + first));
    try (RocksDbKeyedStateBackend restored =
        RocksDbKeyedStateBackend.restore(
            newDir(), LOWER, resources, IntervalWindow.getCoder(), true, List.of(first))) {
      assertThat(restored.minWatermarkHold().getMillis(), equalTo(expectedMinHold(LOWER)));
    }
  }

  @Test
  public void aFailedRestoreLeavesNoDirectoryBehind() throws Exception {
    Path all = temp.getRoot().toPath().resolve("all");
    Path lower = temp.getRoot().toPath().resolve("lower");
    try (RocksDbKeyedStateBackend source = open(newDir(), ALL, true)) {
      fill(source);
      source.snapshot(all);
    }
    try (RocksDbKeyedStateBackend source = open(newDir(), LOWER, true)) {
      source.snapshot(lower);
    }
    Path dir = newDir();

    assertThrows(
        RocksDbStateException.class,
        () ->
            RocksDbKeyedStateBackend.restore(
                dir, ALL, resources, IntervalWindow.getCoder(), true, List.of(all, lower)));
    assertFalse(Files.exists(dir));
  }
}
