package dev.weir.worker.operators;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroups;
import dev.weir.state.StateKey;
import dev.weir.state.memory.InMemoryKeyedStateBackend;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.sdk.state.TimeDomain;
import org.joda.time.Instant;
import org.junit.Test;

public class DueTimersTest {
  private final InMemoryKeyedStateBackend backend =
      new InMemoryKeyedStateBackend(KeyGroupRange.of(0, 128));
  private final StateKey a = key("a");
  private final StateKey b = key("b");

  @Test
  public void eachKeysDueTimersComeTogetherInTheOrderTheyWereDue() {
    backend.setTimes(new Instant(0), null, new Instant(0), new Instant(0));
    set(a, 1);
    set(b, 2);
    set(a, 3);
    set(b, 4);
    set(a, 10);

    List<DueTimers.KeyTimers> due =
        new ArrayList<>(DueTimers.pollByKey(backend, TimeDomain.EVENT_TIME, new Instant(5), 100));

    assertEquals(2, due.size());
    assertArrayEquals(a.bytes(), due.get(0).keyBytes);
    assertEquals(List.of(timer(1), timer(3)), due.get(0).timers);
    assertArrayEquals(b.bytes(), due.get(1).keyBytes);
    assertEquals(List.of(timer(2), timer(4)), due.get(1).timers);
    // Not yet due: stays in the backend.
    assertEquals(
        List.of(timer(10)),
        DueTimers.pollByKey(backend, TimeDomain.EVENT_TIME, new Instant(11), 100).iterator().next()
            .timers);
  }

  @Test
  public void aRoundTakesNoMoreTimersThanItsBoundAndLeavesTheRestForTheNext() {
    for (int t = 1; t <= 5; t++) {
      set(t % 2 == 0 ? a : b, t);
    }

    int first = count(DueTimers.pollByKey(backend, TimeDomain.EVENT_TIME, new Instant(100), 3));
    int second = count(DueTimers.pollByKey(backend, TimeDomain.EVENT_TIME, new Instant(100), 3));
    int third = count(DueTimers.pollByKey(backend, TimeDomain.EVENT_TIME, new Instant(100), 3));

    assertEquals(List.of(3, 2, 0), List.of(first, second, third));
  }

  private static int count(Iterable<DueTimers.KeyTimers> due) {
    int n = 0;
    for (DueTimers.KeyTimers keyTimers : due) {
      n += keyTimers.timers.size();
    }
    return n;
  }

  private void set(StateKey key, long timestamp) {
    backend.timerInternals(key).setTimer(timer(timestamp));
  }

  private static TimerData timer(long timestamp) {
    Instant at = new Instant(timestamp);
    return TimerData.of(
        "t" + timestamp, StateNamespaces.global(), at, at, TimeDomain.EVENT_TIME);
  }

  private static StateKey key(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    return new StateKey(bytes, name, KeyGroups.keyGroupFor(bytes, 128));
  }
}
