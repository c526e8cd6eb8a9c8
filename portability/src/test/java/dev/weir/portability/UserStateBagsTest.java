package dev.weir.portability;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedTimer;
import dev.weir.state.memory.InMemoryKeyedStateBackend;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.fnexecution.state.StateRequestHandlers;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

public class UserStateBagsTest {
  private static final IntervalWindow FIRST = new IntervalWindow(new Instant(0), new Instant(10));
  private static final IntervalWindow SECOND = new IntervalWindow(new Instant(10), new Instant(20));

  @SuppressWarnings("unchecked")
  private static StateRequestHandlers.BagUserStateHandler<Object, Object, BoundedWindow> bag(
      UserStateBags bags, Coder<? extends BoundedWindow> windowCoder) {
    return bags.forUserState(
        "transform",
        "state",
        (Coder<Object>) (Coder<?>) StringUtf8Coder.of(),
        (Coder<Object>) (Coder<?>) VarLongCoder.of(),
        (Coder<BoundedWindow>) windowCoder);
  }

  private static List<Object> read(
      StateRequestHandlers.BagUserStateHandler<Object, Object, BoundedWindow> bag,
      BoundedWindow window) {
    List<Object> values = new ArrayList<>();
    bag.get("k", window).forEach(values::add);
    return values;
  }

  @Test
  public void aWindowsStateIsClearedOnceTheWatermarkPassesItsEndPlusTheAllowedLateness() {
    UserStateBags bags =
        new UserStateBags(
            new InMemoryKeyedStateBackend(KeyGroupRange.of(0, 128)), 128, Duration.millis(5));
    StateRequestHandlers.BagUserStateHandler<Object, Object, BoundedWindow> bag =
        bag(bags, IntervalWindow.getCoder());
    bag.append("k", FIRST, List.<Object>of(1L, 2L).iterator());
    bag.append("k", SECOND, List.<Object>of(5L).iterator());

    // The first window's cleanup waits for its end (9) plus the lateness (5) to have passed.
    assertEquals(List.of(), bags.takeDue(TimeDomain.EVENT_TIME, new Instant(14)));
    // Meanwhile its output timestamp holds the watermark at the window's last instant.
    assertEquals(FIRST.maxTimestamp(), bags.hold());
    List<KeyedTimer> due = bags.takeDue(TimeDomain.EVENT_TIME, new Instant(15));
    assertEquals(1, due.size());
    assertTrue(UserStateBags.isCleanup(due.get(0)));
    bags.cleanUp(due.get(0));

    assertEquals(List.of(), read(bag, FIRST));
    assertEquals(List.of(5L), read(bag, SECOND));
    assertEquals(SECOND.maxTimestamp(), bags.hold());
    bags.close();
  }

  @Test
  public void theGlobalWindowsStateHasNoCleanupTimer() {
    UserStateBags bags =
        new UserStateBags(
            new InMemoryKeyedStateBackend(KeyGroupRange.of(0, 128)), 128, Duration.ZERO);
    StateRequestHandlers.BagUserStateHandler<Object, Object, BoundedWindow> bag =
        bag(bags, GlobalWindow.Coder.INSTANCE);
    bag.append("k", GlobalWindow.INSTANCE, List.<Object>of(1L).iterator());

    assertEquals(List.of(), bags.takeDue(TimeDomain.EVENT_TIME, BoundedWindow.TIMESTAMP_MAX_VALUE));
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, bags.hold());
    assertEquals(List.of(1L), read(bag, GlobalWindow.INSTANCE));
    bags.close();
  }
}
