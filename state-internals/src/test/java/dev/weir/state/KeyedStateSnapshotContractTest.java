package dev.weir.state;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.CombiningState;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.MultimapState;
import org.apache.beam.sdk.state.OrderedListState;
import org.apache.beam.sdk.state.SetState;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.state.WatermarkHoldState;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The snapshot contract of {@link KeyedStateBackend#snapshot}, run against every backend with its
 * own restore: every kind of state and timer survives, restore keeps exactly the key groups of its
 * range (split and merge), and a snapshot does not change with the backend after it was taken.
 */
public abstract class KeyedStateSnapshotContractTest {
  protected static final KeyGroupRange ALL = KeyGroupRange.of(0, TestKeys.MAX_PARALLELISM);
  private static final KeyGroupRange LOWER = KeyGroupRange.of(0, 64);
  private static final KeyGroupRange UPPER = KeyGroupRange.of(64, 128);
  private static final KeyGroupRange MIDDLE = KeyGroupRange.of(32, 96);
  private static final int KEYS = 300;

  private static final StateNamespace GLOBAL = StateNamespaces.global();
  private static final StateNamespace WINDOW =
      StateNamespaces.window(
          IntervalWindow.getCoder(), new IntervalWindow(new Instant(0), new Instant(1000)));
  private static final StateTag<ValueState<String>> VALUE =
      StateTags.value("value", StringUtf8Coder.of());
  private static final StateTag<BagState<Integer>> BAG = StateTags.bag("bag", VarIntCoder.of());
  private static final StateTag<CombiningState<Integer, int[], Integer>> SUM =
      StateTags.combiningValueFromInputInternal("sum", VarIntCoder.of(), Sum.ofIntegers());
  private static final StateTag<SetState<String>> SET = StateTags.set("set", StringUtf8Coder.of());
  private static final StateTag<MapState<String, Long>> MAP =
      StateTags.map("map", StringUtf8Coder.of(), VarLongCoder.of());
  private static final StateTag<MultimapState<String, Integer>> MULTIMAP =
      StateTags.multimap("multimap", StringUtf8Coder.of(), VarIntCoder.of());
  private static final StateTag<OrderedListState<String>> ORDERED =
      StateTags.orderedList("ordered", StringUtf8Coder.of());
  private static final StateTag<WatermarkHoldState> HOLD =
      StateTags.watermarkStateInternal("hold", TimestampCombiner.EARLIEST);

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private final List<KeyedStateBackend> open = new ArrayList<>();

  protected abstract KeyedStateBackend createBackend(KeyGroupRange range) throws Exception;

  /** The backend's own restore, with {@link IntervalWindow} as window coder. */
  protected abstract KeyedStateBackend restoreBackend(KeyGroupRange range, List<Path> snapshots)
      throws Exception;

  @After
  public void closeBackends() {
    open.forEach(KeyedStateBackend::close);
  }

  private KeyedStateBackend create(KeyGroupRange range) throws Exception {
    KeyedStateBackend backend = createBackend(range);
    open.add(backend);
    return backend;
  }

  private KeyedStateBackend restore(KeyGroupRange range, Path... snapshots) throws Exception {
    KeyedStateBackend backend = restoreBackend(range, List.of(snapshots));
    open.add(backend);
    return backend;
  }

  private Path snapshotOf(KeyedStateBackend backend) throws Exception {
    Path target = temp.newFolder().toPath().resolve("snapshot");
    backend.snapshot(target);
    return target;
  }

  private static Instant t(long millis) {
    return new Instant(millis);
  }

  /** Every kind of state, in a window and the global namespace, and a timer of every domain. */
  private static void fillEveryKind(KeyedStateBackend backend, StateKey key) {
    StateInternals state = backend.stateInternals(key);
    state.state(WINDOW, VALUE).write("v");
    state.state(GLOBAL, VALUE).write("global");
    state.state(WINDOW, BAG).add(1);
    state.state(WINDOW, BAG).add(2);
    state.state(WINDOW, BAG).add(2);
    state.state(WINDOW, SUM).add(5);
    state.state(WINDOW, SUM).add(7);
    state.state(WINDOW, SET).add("a");
    state.state(WINDOW, SET).add("b");
    state.state(WINDOW, MAP).put("x", 10L);
    state.state(WINDOW, MAP).put("y", 20L);
    state.state(WINDOW, MULTIMAP).put("k", 1);
    state.state(WINDOW, MULTIMAP).put("k", 2);
    state.state(WINDOW, MULTIMAP).put("j", 3);
    state.state(WINDOW, ORDERED).add(TimestampedValue.of("late", t(300)));
    state.state(WINDOW, ORDERED).add(TimestampedValue.of("early", t(100)));
    state.state(WINDOW, HOLD).add(t(400));
    backend
        .timerInternals(key)
        .setTimer(WINDOW, "event", "family", t(999), t(450), TimeDomain.EVENT_TIME);
    backend
        .timerInternals(key)
        .setTimer(GLOBAL, "proc", "", t(2000), t(500), TimeDomain.PROCESSING_TIME);
    backend
        .timerInternals(key)
        .setTimer(WINDOW, "sync", "", t(3000), t(600), TimeDomain.SYNCHRONIZED_PROCESSING_TIME);
  }

  private static void assertEveryKind(KeyedStateBackend backend, StateKey key) {
    StateInternals state = backend.stateInternals(key);
    assertThat(state.getKey(), equalTo(key.key()));
    assertThat(state.state(WINDOW, VALUE).read(), equalTo("v"));
    assertThat(state.state(GLOBAL, VALUE).read(), equalTo("global"));
    assertThat(state.state(WINDOW, BAG).read(), containsInAnyOrder(1, 2, 2));
    assertThat(state.state(WINDOW, SUM).read(), equalTo(12));
    assertThat(state.state(WINDOW, SET).read(), containsInAnyOrder("a", "b"));
    assertThat(state.state(WINDOW, MAP).get("x").read(), equalTo(10L));
    assertThat(state.state(WINDOW, MAP).get("y").read(), equalTo(20L));
    assertThat(state.state(WINDOW, MULTIMAP).get("k").read(), containsInAnyOrder(1, 2));
    assertThat(state.state(WINDOW, MULTIMAP).get("j").read(), contains(3));
    assertThat(
        state.state(WINDOW, ORDERED).read(),
        contains(TimestampedValue.of("early", t(100)), TimestampedValue.of("late", t(300))));
    assertThat(state.state(WINDOW, HOLD).read(), equalTo(t(400)));
  }

  private static List<TimerData> drain(KeyedStateBackend backend, TimeDomain domain) {
    List<TimerData> fired = new ArrayList<>();
    KeyedTimer timer;
    while ((timer = backend.pollDueTimer(domain, BoundedWindow.TIMESTAMP_MAX_VALUE)) != null) {
      fired.add(timer.timer());
    }
    return fired;
  }

  @Test
  public void everyKindOfStateAndTimerSurvivesARoundTrip() throws Exception {
    KeyedStateBackend source = create(ALL);
    StateKey key = TestKeys.of("key");
    fillEveryKind(source, key);
    Path snapshot = snapshotOf(source);

    KeyedStateBackend restored = restore(ALL, snapshot);

    // The indexes are right before any key is touched.
    assertThat(restored.minWatermarkHold(), equalTo(t(400)));
    assertThat(restored.nextTimerTimestamp(TimeDomain.EVENT_TIME), equalTo(t(999)));
    assertThat(restored.nextTimerTimestamp(TimeDomain.PROCESSING_TIME), equalTo(t(2000)));
    assertThat(
        restored.nextTimerTimestamp(TimeDomain.SYNCHRONIZED_PROCESSING_TIME), equalTo(t(3000)));
    assertEveryKind(restored, key);
    assertThat(
        drain(restored, TimeDomain.EVENT_TIME),
        contains(TimerData.of("event", "family", WINDOW, t(999), t(450), TimeDomain.EVENT_TIME)));
    assertThat(
        drain(restored, TimeDomain.PROCESSING_TIME),
        contains(TimerData.of("proc", "", GLOBAL, t(2000), t(500), TimeDomain.PROCESSING_TIME)));
    assertThat(
        drain(restored, TimeDomain.SYNCHRONIZED_PROCESSING_TIME),
        contains(
            TimerData.of(
                "sync", "", WINDOW, t(3000), t(600), TimeDomain.SYNCHRONIZED_PROCESSING_TIME)));
    // The state hold remains once the timers' holds are gone.
    assertThat(restored.minWatermarkHold(), equalTo(t(400)));
    restored.stateInternals(key).state(WINDOW, HOLD).clear();
    assertThat(restored.minWatermarkHold(), equalTo(BoundedWindow.TIMESTAMP_MAX_VALUE));
  }

  @Test
  public void aRestoredBackendSnapshotsStateItNeverTouched() throws Exception {
    KeyedStateBackend source = create(ALL);
    StateKey key = TestKeys.of("key");
    fillEveryKind(source, key);
    KeyedStateBackend restored = restore(ALL, snapshotOf(source));

    KeyedStateBackend again = restore(ALL, snapshotOf(restored));

    assertThat(again.minWatermarkHold(), equalTo(t(400)));
    assertEveryKind(again, key);
    assertThat(drain(again, TimeDomain.EVENT_TIME).size(), equalTo(1));
  }

  @Test
  public void clearedAndEmptyStateIsNotRestored() throws Exception {
    KeyedStateBackend source = create(ALL);
    StateKey key = TestKeys.of("key");
    source.stateInternals(key).state(WINDOW, VALUE).write("gone");
    source.stateInternals(key).state(WINDOW, VALUE).clear();
    source.stateInternals(key).state(WINDOW, BAG).add(1);
    source.stateInternals(key).state(WINDOW, BAG).clear();
    source.stateInternals(key).state(WINDOW, HOLD).add(t(5));
    source.stateInternals(key).state(WINDOW, HOLD).clear();

    KeyedStateBackend restored = restore(ALL, snapshotOf(source));

    assertThat(restored.stateInternals(key).state(WINDOW, VALUE).read(), nullValue());
    assertTrue(restored.stateInternals(key).state(WINDOW, BAG).isEmpty().read());
    assertThat(restored.minWatermarkHold(), equalTo(BoundedWindow.TIMESTAMP_MAX_VALUE));
    assertThat(restored.nextTimerTimestamp(TimeDomain.EVENT_TIME), nullValue());
  }

  @Test
  public void aSnapshotDoesNotChangeWithTheBackendAfterIt() throws Exception {
    KeyedStateBackend source = create(ALL);
    StateKey key = TestKeys.of("key");
    fillEveryKind(source, key);
    Path snapshot = snapshotOf(source);

    StateInternals state = source.stateInternals(key);
    state.state(WINDOW, VALUE).write("changed");
    state.state(GLOBAL, VALUE).clear();
    state.state(WINDOW, BAG).add(99);
    state.state(WINDOW, SUM).add(100);
    state.state(WINDOW, SET).remove("a");
    state.state(WINDOW, MAP).put("x", -1L);
    state.state(WINDOW, MULTIMAP).remove("k");
    state.state(WINDOW, ORDERED).clear();
    state.state(WINDOW, HOLD).clear();
    source.timerInternals(key).deleteTimer(WINDOW, "event", "family", TimeDomain.EVENT_TIME);
    source
        .timerInternals(TestKeys.of("other"))
        .setTimer(GLOBAL, "new", "", t(1), t(1), TimeDomain.EVENT_TIME);
    drain(source, TimeDomain.PROCESSING_TIME);

    KeyedStateBackend restored = restore(ALL, snapshot);

    assertEveryKind(restored, key);
    assertThat(restored.minWatermarkHold(), equalTo(t(400)));
    assertThat(
        drain(restored, TimeDomain.EVENT_TIME),
        contains(TimerData.of("event", "family", WINDOW, t(999), t(450), TimeDomain.EVENT_TIME)));
    assertThat(drain(restored, TimeDomain.PROCESSING_TIME).size(), equalTo(1));
  }

  @Test
  public void snapshotRefusesAnExistingTarget() throws Exception {
    KeyedStateBackend source = create(ALL);
    source.stateInternals(TestKeys.of("key")).state(GLOBAL, VALUE).write("v");
    Path existing = temp.newFolder().toPath();
    Files.writeString(existing.resolve("keep.txt"), "keep");

    assertThrows(RuntimeException.class, () -> source.snapshot(existing));
    assertThat(Files.readString(existing.resolve("keep.txt")), equalTo("keep"));
  }

  @Test
  public void anEmptyBackendRoundTrips() throws Exception {
    KeyedStateBackend restored = restore(ALL, snapshotOf(create(ALL)));

    assertThat(restored.minWatermarkHold(), equalTo(BoundedWindow.TIMESTAMP_MAX_VALUE));
    for (TimeDomain domain : TimeDomain.values()) {
      assertThat(restored.nextTimerTimestamp(domain), nullValue());
    }
  }

  /** Key i: value "v-i", hold at 1000+i and an event-time timer at 5000+i. */
  private static void fillKeys(KeyedStateBackend backend) {
    for (int i = 0; i < KEYS; i++) {
      StateKey key = TestKeys.of("key-" + i);
      if (backend.keyGroupRange().contains(key.keyGroup())) {
        backend.stateInternals(key).state(WINDOW, VALUE).write("v-" + i);
        backend.stateInternals(key).state(WINDOW, HOLD).add(t(1000 + i));
        backend
            .timerInternals(key)
            .setTimer(WINDOW, "t", "", t(5000 + i), t(5000 + i), TimeDomain.EVENT_TIME);
      }
    }
  }

  private static void assertHoldsExactly(KeyedStateBackend restored) {
    KeyGroupRange range = restored.keyGroupRange();
    Set<String> owned = new HashSet<>();
    long minHold = BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis();
    for (int i = 0; i < KEYS; i++) {
      StateKey key = TestKeys.of("key-" + i);
      if (range.contains(key.keyGroup())) {
        owned.add(key.key().toString());
        minHold = Math.min(minHold, 1000 + i);
      }
    }
    assertTrue("test needs keys in range", owned.size() > 0);
    assertTrue("test needs keys out of range", range.equals(ALL) || owned.size() < KEYS);
    assertThat(restored.minWatermarkHold().getMillis(), equalTo(minHold));

    Map<String, Long> fired = new HashMap<>();
    KeyedTimer timer;
    while ((timer = restored.pollDueTimer(TimeDomain.EVENT_TIME, t(Long.MAX_VALUE / 2))) != null) {
      String key = TestKeys.decode(timer.keyBytes());
      assertFalse("timer of " + key + " fired twice", fired.containsKey(key));
      fired.put(key, timer.timer().getTimestamp().getMillis());
    }
    assertThat(fired.keySet(), equalTo(owned));
    for (String key : owned) {
      int i = Integer.parseInt(key.substring("key-".length()));
      assertThat(fired.get(key), equalTo(5000L + i));
      assertThat(
          restored.stateInternals(TestKeys.of(key)).state(WINDOW, VALUE).read(), equalTo("v-" + i));
    }
  }

  @Test
  public void twoSnapshotsMergeIntoOneRange() throws Exception {
    KeyedStateBackend lower = create(LOWER);
    KeyedStateBackend upper = create(UPPER);
    fillKeys(lower);
    fillKeys(upper);
    Path lowerSnapshot = snapshotOf(lower);
    Path upperSnapshot = snapshotOf(upper);

    assertHoldsExactly(restore(ALL, lowerSnapshot, upperSnapshot));
  }

  @Test
  public void twoSnapshotsRestoreIntoARangeAcrossBoth() throws Exception {
    KeyedStateBackend lower = create(LOWER);
    KeyedStateBackend upper = create(UPPER);
    fillKeys(lower);
    fillKeys(upper);

    assertHoldsExactly(restore(MIDDLE, snapshotOf(lower), snapshotOf(upper)));
  }

  @Test
  public void oneSnapshotSplitsIntoTwoRanges() throws Exception {
    KeyedStateBackend all = create(ALL);
    fillKeys(all);
    Path snapshot = snapshotOf(all);

    assertHoldsExactly(restore(LOWER, snapshot));
    assertHoldsExactly(restore(UPPER, snapshot));
  }

  @Test
  public void aKeyGroupWithStateInTwoSnapshotsIsRefused() throws Exception {
    KeyedStateBackend all = create(ALL);
    KeyedStateBackend lower = create(LOWER);
    fillKeys(all);
    fillKeys(lower);
    Path allSnapshot = snapshotOf(all);
    Path lowerSnapshot = snapshotOf(lower);

    RuntimeException e =
        assertThrows(RuntimeException.class, () -> restore(MIDDLE, allSnapshot, lowerSnapshot));
    assertThat(e.getMessage(), containsString(allSnapshot.toString()));
    assertThat(e.getMessage(), containsString(lowerSnapshot.toString()));
  }

  @Test
  public void twoSnapshotsClaimingAKeyGroupAreRefusedAlsoWhenOnlyOneHasStateInIt()
      throws Exception {
    KeyedStateBackend emptyAll = create(ALL);
    KeyedStateBackend lower = create(LOWER);
    fillKeys(lower);
    Path allSnapshot = snapshotOf(emptyAll);
    Path lowerSnapshot = snapshotOf(lower);

    RuntimeException e =
        assertThrows(RuntimeException.class, () -> restore(ALL, lowerSnapshot, allSnapshot));
    assertThat(e.getMessage(), containsString("both"));
    assertThat(e.getMessage(), containsString(allSnapshot.toString()));
  }

  @Test
  public void snapshotsWhoseClaimsOverlapOutsideTheTargetRangeAreAccepted() throws Exception {
    // Only the key groups a restore keeps matter: [0, 64) and [32, 96) overlap in [32, 64),
    // which a restore of [64, 128) never reads.
    KeyedStateBackend lower = create(LOWER);
    KeyedStateBackend middle = create(MIDDLE);
    fillKeys(lower);
    Path lowerSnapshot = snapshotOf(lower);
    Path middleSnapshot = snapshotOf(middle);

    KeyedStateBackend restored = restore(UPPER, lowerSnapshot, middleSnapshot);
    assertThat(restored.nextTimerTimestamp(TimeDomain.EVENT_TIME), nullValue());
  }
}
