package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.junit.Test;

public class ReduceFnTimersTest {
  private static final StateNamespace WINDOW =
      StateNamespaces.window(GlobalWindow.Coder.INSTANCE, GlobalWindow.INSTANCE);

  /** What reaches the backend: "set id@time hold" and "delete id" lines. */
  private final List<String> calls = new ArrayList<>();

  private final ReduceFnTimers timers = new ReduceFnTimers(new Recording());

  private static TimerInternals.TimerData timer(String id, long at, TimeDomain domain) {
    return TimerInternals.TimerData.of(
        id, "", WINDOW, new Instant(at), new Instant(at), domain);
  }

  @Test
  public void aTimerSetAgainAsItIsDuringOneKeysCallReachesTheBackendOnce() {
    timers.setTimer(timer("gc", 10, TimeDomain.EVENT_TIME));
    timers.setTimer(timer("gc", 10, TimeDomain.EVENT_TIME));
    timers.setTimer(timer("gc", 10, TimeDomain.EVENT_TIME));

    assertEquals(List.of("set gc@10 hold=10"), calls);
  }

  @Test
  public void aTimerMovedAndMovedBackReachesTheBackendEachTime() {
    timers.setTimer(timer("gc", 10, TimeDomain.EVENT_TIME));
    timers.setTimer(timer("gc", 20, TimeDomain.EVENT_TIME));
    timers.setTimer(timer("gc", 10, TimeDomain.EVENT_TIME));

    assertEquals(List.of("set gc@10 hold=10", "set gc@20 hold=20", "set gc@10 hold=10"), calls);
  }

  @Test
  public void aTimerSetAfterADeleteOrAKeyChangeReachesTheBackendAgain() {
    timers.setTimer(timer("gc", 10, TimeDomain.EVENT_TIME));
    timers.deleteTimer(WINDOW, "gc", "", TimeDomain.EVENT_TIME);
    timers.setTimer(timer("gc", 10, TimeDomain.EVENT_TIME));
    timers.forgetSetTimers();
    timers.setTimer(timer("gc", 10, TimeDomain.EVENT_TIME));

    assertEquals(
        List.of("set gc@10 hold=10", "delete gc", "set gc@10 hold=10", "set gc@10 hold=10"),
        calls);
  }

  @Test
  public void timersOfOtherDomainsOrIdsAreTheirOwnAndProcessingTimeOnesHoldNothing() {
    timers.setTimer(timer("t", 10, TimeDomain.EVENT_TIME));
    timers.setTimer(timer("t", 10, TimeDomain.PROCESSING_TIME));
    timers.setTimer(timer("u", 10, TimeDomain.EVENT_TIME));
    timers.setTimer(timer("t", 10, TimeDomain.PROCESSING_TIME));

    assertEquals(
        List.of(
            "set t@10 hold=10",
            "set t@10 hold=" + BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis(),
            "set u@10 hold=10"),
        calls);
  }

  private final class Recording implements TimerInternals {
    @Override
    public void setTimer(
        StateNamespace namespace,
        String timerId,
        String timerFamilyId,
        Instant target,
        Instant outputTimestamp,
        TimeDomain timeDomain) {
      setTimer(
          TimerData.of(timerId, timerFamilyId, namespace, target, outputTimestamp, timeDomain));
    }

    @Override
    public void setTimer(TimerData timer) {
      calls.add(
          "set "
              + timer.getTimerId()
              + "@"
              + timer.getTimestamp().getMillis()
              + " hold="
              + timer.getOutputTimestamp().getMillis());
    }

    @Override
    public void deleteTimer(
        StateNamespace namespace, String timerId, String timerFamilyId, TimeDomain timeDomain) {
      calls.add("delete " + timerId);
    }

    @Override
    public void deleteTimer(StateNamespace namespace, String timerId, String timerFamilyId) {
      calls.add("delete " + timerId);
    }

    @Override
    public void deleteTimer(TimerData timerKey) {
      calls.add("delete " + timerKey.getTimerId());
    }

    @Override
    public Instant currentProcessingTime() {
      return new Instant(0);
    }

    @Override
    public @Nullable Instant currentSynchronizedProcessingTime() {
      return null;
    }

    @Override
    public Instant currentInputWatermarkTime() {
      return new Instant(0);
    }

    @Override
    public @Nullable Instant currentOutputWatermarkTime() {
      return null;
    }
  }
}
