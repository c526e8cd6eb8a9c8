package dev.weir.state;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.Assert.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.state.WatermarkHoldState;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The {@link KeyedStateBackend} contract the worker relies on, run against every backend:
 * timers by id and by time, holds, clocks and key-group ownership.
 */
public abstract class KeyedStateBackendContractTest {
  protected static final KeyGroupRange ALL = KeyGroupRange.of(0, TestKeys.MAX_PARALLELISM);
  private static final StateNamespace GLOBAL = StateNamespaces.global();
  private static final StateTag<WatermarkHoldState> HOLD =
      StateTags.watermarkStateInternal("hold", TimestampCombiner.EARLIEST);
  private static final StateTag<ValueState<String>> VALUE =
      StateTags.value("value", StringUtf8Coder.of());

  protected KeyedStateBackend backend;

  protected abstract KeyedStateBackend createBackend(KeyGroupRange range) throws Exception;

  @Before
  public void createDefaultBackend() throws Exception {
    backend = createBackend(ALL);
  }

  @After
  public void closeBackend() {
    if (backend != null) {
      backend.close();
    }
  }

  private static Instant t(long millis) {
    return new Instant(millis);
  }

  private TimerInternals timers(String key) {
    return backend.timerInternals(TestKeys.of(key));
  }

  private List<String> drain(TimeDomain domain, Instant upTo) {
    List<String> fired = new ArrayList<>();
    KeyedTimer timer;
    while ((timer = backend.pollDueTimer(domain, upTo)) != null) {
      fired.add(timer.timer().getTimerId() + "@" + timer.timer().getTimestamp().getMillis());
    }
    return fired;
  }

  @Test
  public void firesTimersInTimestampOrderAcrossKeys() {
    timers("a").setTimer(GLOBAL, "a1", "", t(30), t(30), TimeDomain.EVENT_TIME);
    timers("b").setTimer(GLOBAL, "b1", "", t(10), t(10), TimeDomain.EVENT_TIME);
    timers("c").setTimer(GLOBAL, "c1", "", t(20), t(20), TimeDomain.EVENT_TIME);
    timers("a").setTimer(GLOBAL, "a2", "", t(5), t(5), TimeDomain.EVENT_TIME);

    assertThat(backend.nextTimerTimestamp(TimeDomain.EVENT_TIME), equalTo(t(5)));
    assertThat(drain(TimeDomain.EVENT_TIME, t(20)), contains("a2@5", "b1@10", "c1@20"));
    assertThat(drain(TimeDomain.EVENT_TIME, t(100)), contains("a1@30"));
    assertThat(backend.nextTimerTimestamp(TimeDomain.EVENT_TIME), nullValue());
  }

  @Test
  public void pollReturnsTheKeyBytesOfTheTimer() {
    StateKey key = TestKeys.of("k");
    backend.timerInternals(key).setTimer(GLOBAL, "t", "", t(1), t(1), TimeDomain.EVENT_TIME);
    KeyedTimer fired = backend.pollDueTimer(TimeDomain.EVENT_TIME, t(1));
    assertThat(fired.keyBytes(), equalTo(key.bytes()));
    assertThat(fired.timer().getNamespace(), equalTo(GLOBAL));
  }

  @Test
  public void settingATimerWithTheSameIdReplacesIt() {
    timers("k").setTimer(GLOBAL, "t", "", t(10), t(10), TimeDomain.EVENT_TIME);
    timers("k").setTimer(GLOBAL, "t", "", t(50), t(50), TimeDomain.EVENT_TIME);

    assertThat(drain(TimeDomain.EVENT_TIME, t(40)), equalTo(List.of()));
    assertThat(drain(TimeDomain.EVENT_TIME, t(50)), contains("t@50"));
  }

  @Test
  public void sameTimerIdInDifferentKeysNamespacesAndFamiliesAreDistinct() {
    StateNamespace window =
        StateNamespaces.window(IntervalWindow.getCoder(), new IntervalWindow(t(0), t(100)));
    timers("k").setTimer(GLOBAL, "t", "", t(1), t(1), TimeDomain.EVENT_TIME);
    timers("k").setTimer(window, "t", "", t(2), t(2), TimeDomain.EVENT_TIME);
    timers("k").setTimer(GLOBAL, "t", "family", t(3), t(3), TimeDomain.EVENT_TIME);
    timers("other").setTimer(GLOBAL, "t", "", t(4), t(4), TimeDomain.EVENT_TIME);

    assertThat(drain(TimeDomain.EVENT_TIME, t(10)), contains("t@1", "t@2", "t@3", "t@4"));
  }

  @Test
  public void timerFamiliesAreReturnedWithTheTimer() {
    timers("k").setTimer(GLOBAL, "dynamic-1", "family", t(1), t(1), TimeDomain.EVENT_TIME);
    KeyedTimer fired = backend.pollDueTimer(TimeDomain.EVENT_TIME, t(1));
    assertThat(fired.timer().getTimerFamilyId(), equalTo("family"));
    assertThat(fired.timer().getTimerId(), equalTo("dynamic-1"));
  }

  @Test
  @SuppressWarnings("deprecation")
  public void everyDeleteVariantRemovesTheTimer() {
    TimerInternals k = timers("k");
    k.setTimer(GLOBAL, "one", "", t(1), t(1), TimeDomain.EVENT_TIME);
    k.setTimer(GLOBAL, "two", "fam", t(2), t(2), TimeDomain.PROCESSING_TIME);
    k.setTimer(GLOBAL, "three", "", t(3), t(3), TimeDomain.SYNCHRONIZED_PROCESSING_TIME);
    k.setTimer(GLOBAL, "four", "", t(4), t(4), TimeDomain.EVENT_TIME);
    k.setTimer(GLOBAL, "five", "", t(5), t(5), TimeDomain.EVENT_TIME);

    k.deleteTimer(GLOBAL, "one", "", TimeDomain.EVENT_TIME);
    k.deleteTimer(GLOBAL, "two", "fam");
    k.deleteTimer(TimerData.of("three", GLOBAL, t(3), t(3), TimeDomain.SYNCHRONIZED_PROCESSING_TIME));
    k.setTimer(TimerData.of("four", GLOBAL, t(4), t(4), TimeDomain.EVENT_TIME).deleted());

    assertThat(drain(TimeDomain.EVENT_TIME, t(100)), contains("five@5"));
    assertThat(drain(TimeDomain.PROCESSING_TIME, t(100)), equalTo(List.of()));
    assertThat(drain(TimeDomain.SYNCHRONIZED_PROCESSING_TIME, t(100)), equalTo(List.of()));
  }

  @Test
  public void deletingAnUnknownTimerIsANoOp() {
    timers("k").deleteTimer(GLOBAL, "missing", "", TimeDomain.EVENT_TIME);
    assertThat(backend.minWatermarkHold(), equalTo(BoundedWindow.TIMESTAMP_MAX_VALUE));
  }

  @Test
  public void domainsAreSeparateQueues() {
    timers("k").setTimer(GLOBAL, "e", "", t(1), t(1), TimeDomain.EVENT_TIME);
    timers("k").setTimer(GLOBAL, "p", "", t(2), t(2), TimeDomain.PROCESSING_TIME);

    assertThat(drain(TimeDomain.PROCESSING_TIME, t(10)), contains("p@2"));
    assertThat(drain(TimeDomain.EVENT_TIME, t(10)), contains("e@1"));
  }

  @Test
  public void timerOutputTimestampsHoldTheWatermarkUntilFiredOrDeleted() {
    timers("a").setTimer(GLOBAL, "t", "", t(100), t(7), TimeDomain.PROCESSING_TIME);
    timers("b").setTimer(GLOBAL, "t", "", t(50), t(9), TimeDomain.EVENT_TIME);
    assertThat(backend.minWatermarkHold(), equalTo(t(7)));

    timers("a").deleteTimer(GLOBAL, "t", "", TimeDomain.PROCESSING_TIME);
    assertThat(backend.minWatermarkHold(), equalTo(t(9)));

    timers("b").setTimer(GLOBAL, "t", "", t(50), t(12), TimeDomain.EVENT_TIME);
    assertThat(backend.minWatermarkHold(), equalTo(t(12)));

    backend.pollDueTimer(TimeDomain.EVENT_TIME, t(50));
    assertThat(backend.minWatermarkHold(), equalTo(BoundedWindow.TIMESTAMP_MAX_VALUE));
  }

  @Test
  public void watermarkHoldStateIsTheMinimumOverKeysAndFollowsClear() {
    WatermarkHoldState a = backend.stateInternals(TestKeys.of("a")).state(GLOBAL, HOLD);
    WatermarkHoldState b = backend.stateInternals(TestKeys.of("b")).state(GLOBAL, HOLD);
    a.add(t(20));
    b.add(t(30));
    assertThat(backend.minWatermarkHold(), equalTo(t(20)));

    a.add(t(15));
    assertThat(backend.minWatermarkHold(), equalTo(t(15)));

    a.clear();
    assertThat(backend.minWatermarkHold(), equalTo(t(30)));

    timers("c").setTimer(GLOBAL, "t", "", t(100), t(25), TimeDomain.EVENT_TIME);
    assertThat(backend.minWatermarkHold(), equalTo(t(25)));

    b.clear();
    backend.pollDueTimer(TimeDomain.EVENT_TIME, t(100));
    assertThat(backend.minWatermarkHold(), equalTo(BoundedWindow.TIMESTAMP_MAX_VALUE));
  }

  @Test
  public void holdsWithTheSameTimestampAreCountedSeparately() {
    WatermarkHoldState a = backend.stateInternals(TestKeys.of("a")).state(GLOBAL, HOLD);
    WatermarkHoldState b = backend.stateInternals(TestKeys.of("b")).state(GLOBAL, HOLD);
    a.add(t(10));
    b.add(t(10));
    a.clear();
    assertThat(backend.minWatermarkHold(), equalTo(t(10)));
  }

  @Test
  public void timerInternalsReportTheTimesLastSet() {
    backend.setTimes(t(10), t(8), t(1000), t(990));
    TimerInternals k = timers("k");
    assertThat(k.currentInputWatermarkTime(), equalTo(t(10)));
    assertThat(k.currentOutputWatermarkTime(), equalTo(t(8)));
    assertThat(k.currentProcessingTime(), equalTo(t(1000)));
    assertThat(k.currentSynchronizedProcessingTime(), equalTo(t(990)));

    backend.setTimes(t(20), null, t(2000), t(2000));
    assertThat(k.currentInputWatermarkTime(), equalTo(t(20)));
    assertThat(k.currentOutputWatermarkTime(), nullValue());
    assertThat(k.currentProcessingTime(), equalTo(t(2000)));
    assertThat(k.currentSynchronizedProcessingTime(), equalTo(t(2000)));
  }

  @Test
  public void stateIsPerKeyAndStateInternalsReportTheKey() {
    backend.stateInternals(TestKeys.of("a")).state(GLOBAL, VALUE).write("A");
    backend.stateInternals(TestKeys.of("b")).state(GLOBAL, VALUE).write("B");

    assertThat(backend.stateInternals(TestKeys.of("a")).state(GLOBAL, VALUE).read(), equalTo("A"));
    assertThat(backend.stateInternals(TestKeys.of("b")).state(GLOBAL, VALUE).read(), equalTo("B"));
    assertThat(backend.stateInternals(TestKeys.of("a")).getKey(), equalTo("a"));
  }

  @Test
  public void rejectsKeysOfKeyGroupsItDoesNotOwn() throws Exception {
    backend.close();
    KeyGroupRange lowerHalf = KeyGroupRange.of(0, TestKeys.MAX_PARALLELISM / 2);
    backend = createBackend(lowerHalf);
    StateKey foreign =
        TestKeys.inRange("x", KeyGroupRange.of(TestKeys.MAX_PARALLELISM / 2, TestKeys.MAX_PARALLELISM));
    assertThrows(IllegalArgumentException.class, () -> backend.stateInternals(foreign));
    assertThrows(IllegalArgumentException.class, () -> backend.timerInternals(foreign));
  }
}
