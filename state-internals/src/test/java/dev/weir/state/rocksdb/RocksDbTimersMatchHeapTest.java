package dev.weir.state.rocksdb;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedTimer;
import dev.weir.state.StateKey;
import dev.weir.state.TestKeys;
import dev.weir.state.memory.InMemoryKeyedStateBackend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Random timer work on two key groups, far more timers per group than the RocksDB backend keeps on
 * the heap ({@link KeyGroupHeads#WINDOW}), checked step by step against the heap backend: the same
 * timers fire, in timestamp order, and the next timer and the minimum hold always agree.
 */
public class RocksDbTimersMatchHeapTest {
  private static final KeyGroupRange RANGE = KeyGroupRange.of(10, 12);
  private static final int STEPS = 20_000;

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private RocksDbResources resources;
  private KeyedStateBackend rocks;
  private KeyedStateBackend heap;
  private final List<StateKey> keys = new ArrayList<>();

  @Before
  public void open() throws Exception {
    resources = RocksDbResources.forTests();
    rocks =
        RocksDbKeyedStateBackend.open(
            temp.newFolder().toPath().resolve("db"),
            RANGE,
            resources,
            IntervalWindow.getCoder(),
            true);
    heap = new InMemoryKeyedStateBackend(RANGE);
    for (int i = 0; keys.size() < 40; i++) {
      StateKey key = TestKeys.of("key-" + i);
      if (RANGE.contains(key.keyGroup())) {
        keys.add(key);
      }
    }
  }

  @After
  public void close() {
    rocks.close();
    heap.close();
    resources.close();
  }

  @Test
  public void randomTimerWorkFiresTheSameTimersAndHoldsAsTheHeapBackend() {
    Random random = new Random(42);
    long watermark = 0;
    int fired = 0;
    for (int step = 0; step < STEPS; step++) {
      StateKey key = keys.get(random.nextInt(keys.size()));
      String id = "t" + random.nextInt(8);
      TimeDomain domain = random.nextInt(4) == 0 ? TimeDomain.PROCESSING_TIME : TimeDomain.EVENT_TIME;
      int op = random.nextInt(10);
      if (op < 6) {
        Instant at = new Instant(watermark + random.nextInt(500));
        Instant output = at.plus(random.nextInt(3) == 0 ? 0 : random.nextInt(100));
        for (KeyedStateBackend backend : List.of(rocks, heap)) {
          backend
              .timerInternals(key)
              .setTimer(StateNamespaces.global(), id, "", at, output, domain);
        }
      } else if (op < 8) {
        for (KeyedStateBackend backend : List.of(rocks, heap)) {
          backend.timerInternals(key).deleteTimer(StateNamespaces.global(), id, "", domain);
        }
      } else {
        watermark += random.nextInt(40);
        List<String> fromRocks = drain(rocks, domain, new Instant(watermark));
        List<String> fromHeap = drain(heap, domain, new Instant(watermark));
        fired += fromRocks.size();
        Collections.sort(fromRocks);
        Collections.sort(fromHeap);
        assertThat("fired at step " + step, fromRocks, equalTo(fromHeap));
      }
      for (TimeDomain d : List.of(TimeDomain.EVENT_TIME, TimeDomain.PROCESSING_TIME)) {
        assertThat(
            "next " + d + " timer at step " + step,
            rocks.nextTimerTimestamp(d),
            equalTo(heap.nextTimerTimestamp(d)));
      }
      assertThat("min hold at step " + step, rocks.minWatermarkHold(), equalTo(heap.minWatermarkHold()));
    }
    assertThat("the run fired timers", fired > 1_000, equalTo(true));
  }

  /** Fires everything due; checks the timestamps come in order. */
  private static List<String> drain(KeyedStateBackend backend, TimeDomain domain, Instant upTo) {
    List<String> fired = new ArrayList<>();
    long last = Long.MIN_VALUE;
    KeyedTimer timer;
    while ((timer = backend.pollDueTimer(domain, upTo)) != null) {
      long at = timer.timer().getTimestamp().getMillis();
      assertThat("timestamp order", at >= last, equalTo(true));
      last = at;
      fired.add(new String(timer.keyBytes(), java.nio.charset.StandardCharsets.ISO_8859_1)
          + "/" + timer.timer().getTimerId() + "@" + at);
    }
    return fired;
  }
}
