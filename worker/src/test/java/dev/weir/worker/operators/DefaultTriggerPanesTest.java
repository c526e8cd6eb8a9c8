package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.weir.state.StateKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.beam.runners.core.SystemReduceFn;
import org.apache.beam.runners.core.triggers.ExecutableTriggerStateMachine;
import org.apache.beam.runners.core.triggers.TriggerStateMachines;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.windowing.AfterEach;
import org.apache.beam.sdk.transforms.windowing.AfterFirst;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.transforms.windowing.WindowMappingFn;
import org.apache.beam.sdk.util.AppliedCombineFn;
import org.apache.beam.sdk.util.construction.TriggerTranslation;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The panes made directly must be exactly ReduceFnRunner's for the same held values: same windows,
 * values, timestamps and pane infos, under the default trigger, the end-of-window trigger and
 * repeated count triggers (whose windows of enough values go to ReduceFnRunner), over fixed,
 * sliding, merging and global windows, every timestamp combiner, with and without allowed
 * lateness, buffering and combining, accumulating and discarding, and with an end watermark that
 * collects only some windows (those keys go to ReduceFnRunner).
 */
public class DefaultTriggerPanesTest {
  @Rule public final TemporaryFolder scratch = new TemporaryFolder();

  /** Sums its inputs; inputs and accumulators are the same type, as after a lifted combine. */
  private static final class SumFn extends CombineFn<Integer, Integer, Integer> {
    @Override
    public Integer createAccumulator() {
      return 0;
    }

    @Override
    public Integer addInput(Integer accumulator, Integer input) {
      return accumulator + input;
    }

    @Override
    public Integer mergeAccumulators(Iterable<Integer> accumulators) {
      int sum = 0;
      for (int a : accumulators) {
        sum += a;
      }
      return sum;
    }

    @Override
    public Integer extractOutput(Integer accumulator) {
      return accumulator;
    }
  }

  @Test
  public void panesEqualReduceFnRunnersForEveryTriggerWindowingCombinerLatenessAndReduceFn()
      throws Exception {
    List<Trigger> triggers =
        List.of(
            DefaultTrigger.of(),
            AfterWatermark.pastEndOfWindow(),
            Repeatedly.forever(AfterPane.elementCountAtLeast(3)),
            Repeatedly.forever(AfterPane.elementCountAtLeast(1_000)),
            // Nexmark q12's.
            Repeatedly.forever(
                AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.millis(10))),
            // Nexmark q10's, with counts reached and not.
            nexmarkQ10Trigger(3),
            nexmarkQ10Trigger(1_000));
    List<WindowFn<?, ?>> windowFns =
        List.of(
            FixedWindows.of(Duration.millis(100)),
            SlidingWindows.of(Duration.millis(100)).every(Duration.millis(30)),
            Sessions.withGapDuration(Duration.millis(20)),
            new ContainedIntoBigWindows(),
            new GlobalWindows());
    Random random = new Random(7);
    int compared = 0;
    for (Trigger trigger : triggers) {
      for (WindowFn<?, ?> windowFn : windowFns) {
        for (TimestampCombiner combiner : TimestampCombiner.values()) {
          for (Duration lateness : List.of(Duration.ZERO, Duration.standardDays(1))) {
            for (boolean combining : List.of(false, true)) {
              for (Instant end : List.of(BoundedWindow.TIMESTAMP_MAX_VALUE, new Instant(600))) {
                for (AccumulationMode mode : AccumulationMode.values()) {
                  if (mode == AccumulationMode.RETRACTING_FIRED_PANES) {
                    continue;
                  }
                  WindowingStrategy<?, BoundedWindow> strategy =
                      strategy(windowFn, combiner, lateness).withTrigger(trigger).withMode(mode);
                  List<Held> input = randomInput(random, windowFn);
                  List<String> direct = group(input, strategy, combining, end, true);
                  List<String> reduceFnRunner = group(input, strategy, combining, end, false);
                  assertEquals(
                      trigger + " " + windowFn + " " + combiner + " " + lateness + " combining="
                          + combining + " " + end + " " + mode,
                      reduceFnRunner,
                      direct);
                  compared += direct.size();
                }
              }
            }
          }
        }
      }
    }
    assertTrue("compared " + compared + " panes", compared > 1_000);
  }

  private static Trigger nexmarkQ10Trigger(int count) {
    return AfterEach.inOrder(
        Repeatedly.forever(AfterPane.elementCountAtLeast(count))
            .orFinally(AfterWatermark.pastEndOfWindow()),
        Repeatedly.forever(
            AfterFirst.of(
                AfterPane.elementCountAtLeast(count),
                AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.millis(10)))));
  }

  @Test
  public void otherTriggersAreLeftToReduceFnRunner() {
    WindowingStrategy<?, BoundedWindow> strategy =
        strategy(FixedWindows.of(Duration.millis(10)), TimestampCombiner.END_OF_WINDOW,
            Duration.ZERO);
    assertNull(
        DefaultTriggerPanes.forStrategy(
            strategy.withTrigger(
                Repeatedly.forever(
                    AfterProcessingTime.pastFirstElementInPane()
                        .plusDelayOf(Duration.millis(5))
                        .alignedTo(Duration.millis(10)))),
            null));
    assertNull(
        DefaultTriggerPanes.forStrategy(
            strategy.withTrigger(
                AfterEach.inOrder(
                    AfterPane.elementCountAtLeast(2), AfterWatermark.pastEndOfWindow())),
            null));
    assertNull(
        DefaultTriggerPanes.forStrategy(
            strategy.withTrigger(
                AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(2))),
            null));
  }

  /**
   * Beam's WindowTest.CustomWindowFn's way of merging: a value at a multiple of ten is in the big
   * window of its hundred, [100 n, 100 n + 100), others in a small window of their own, and the small
   * windows a big window contains merge into it; each big window is merged, alone or not:
   * {@code merge({big}, big)} too. A second merge pass over the results therefore "merges" again,
   * so the grouping leaves the values unmerged for ReduceFnRunner, and the panes must not be made
   * from those unmerged windows.
   */
  private static final class ContainedIntoBigWindows extends WindowFn<Object, IntervalWindow> {
    static IntervalWindow windowOf(long timestamp) {
      return timestamp % 10 == 0
          ? new IntervalWindow(new Instant(timestamp / 100 * 100), Duration.millis(100))
          : new IntervalWindow(new Instant(timestamp), Duration.millis(5));
    }

    @Override
    public Collection<IntervalWindow> assignWindows(AssignContext c) {
      return List.of(windowOf(c.timestamp().getMillis()));
    }

    @Override
    public void mergeWindows(MergeContext c) throws Exception {
      for (IntervalWindow big : c.windows()) {
        if (big.end().getMillis() - big.start().getMillis() == 100) {
          Set<IntervalWindow> merged = new HashSet<>();
          for (IntervalWindow window : c.windows()) {
            if (big.contains(window)) {
              merged.add(window);
            }
          }
          c.merge(merged, big);
        }
      }
    }

    @Override
    public boolean isCompatible(WindowFn<?, ?> other) {
      return other instanceof ContainedIntoBigWindows;
    }

    @Override
    public Coder<IntervalWindow> windowCoder() {
      return IntervalWindow.getCoder();
    }

    @Override
    public WindowMappingFn<IntervalWindow> getDefaultWindowMappingFn() {
      throw new UnsupportedOperationException("not a side input");
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static WindowingStrategy<?, BoundedWindow> strategy(
      WindowFn<?, ?> windowFn, TimestampCombiner combiner, Duration lateness) {
    return (WindowingStrategy)
        WindowingStrategy.of(windowFn).withTimestampCombiner(combiner).withAllowedLateness(lateness);
  }

  /** A value of a key, with its timestamp and windows. */
  private static final class Held {
    final String key;
    final WindowedValue<Object> value;

    Held(String key, WindowedValue<Object> value) {
      this.key = key;
      this.value = value;
    }
  }

  private static List<Held> randomInput(Random random, WindowFn<?, ?> windowFn) {
    List<Held> input = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String key = "k" + random.nextInt(5);
      long timestamp = random.nextInt(1_000);
      input.add(
          new Held(
              key,
              WindowedValues.of(
                  (Object) random.nextInt(100),
                  new Instant(timestamp),
                  windowsOf(windowFn, timestamp),
                  PaneInfo.NO_FIRING)));
    }
    return input;
  }

  private static List<BoundedWindow> windowsOf(WindowFn<?, ?> windowFn, long timestamp) {
    List<BoundedWindow> windows = new ArrayList<>();
    if (windowFn instanceof FixedWindows) {
      windows.add(new IntervalWindow(new Instant(timestamp / 100 * 100), Duration.millis(100)));
    } else if (windowFn instanceof SlidingWindows) {
      for (long start = timestamp / 30 * 30; start > timestamp - 100; start -= 30) {
        windows.add(new IntervalWindow(new Instant(start), Duration.millis(100)));
      }
    } else if (windowFn instanceof Sessions) {
      windows.add(new IntervalWindow(new Instant(timestamp), Duration.millis(20)));
    } else if (windowFn instanceof ContainedIntoBigWindows) {
      windows.add(ContainedIntoBigWindows.windowOf(timestamp));
    } else {
      windows.add(GlobalWindow.INSTANCE);
    }
    return windows;
  }

  /** The panes of {@code input}, one sorted line each, directly or by ReduceFnRunner alone. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private List<String> group(
      List<Held> input,
      WindowingStrategy<?, BoundedWindow> strategy,
      boolean combining,
      Instant end,
      boolean direct)
      throws Exception {
    Coder<Object> valueCoder = (Coder) VarIntCoder.of();
    CombineFn<Object, Object, Object> sum = (CombineFn) new SumFn();
    SystemReduceFn<Object, Object, ?, Object, BoundedWindow> reduceFn =
        combining
            ? SystemReduceFn.combining(
                (Coder) StringUtf8Coder.of(), AppliedCombineFn.withAccumulatorCoder(sum, valueCoder))
            : (SystemReduceFn) SystemReduceFn.buffering(valueCoder);
    List<WindowedValue<?>> output = new ArrayList<>();
    try (WholeInputGroups groups =
        new WholeInputGroups(
            Long.MAX_VALUE,
            new SpilledRuns(
                scratch.getRoot().toPath(),
                WindowedValues.getFullCoder(valueCoder, strategy.getWindowFn().windowCoder()),
                bytes -> {
                  throw new AssertionError("nothing spills here");
                }))) {
      for (Held held : input) {
        byte[] bytes = held.key.getBytes(StandardCharsets.UTF_8);
        groups.add(new StateKey(bytes, held.key, 0), held.value);
      }
      groups.groupAll(
          end,
          new Instant(0),
          null,
          strategy,
          ExecutableTriggerStateMachine.create(
              TriggerStateMachines.stateMachineForTrigger(
                  TriggerTranslation.toProto(strategy.getTrigger()))),
          reduceFn,
          output::add,
          PipelineOptionsFactory.create(),
          direct ? DefaultTriggerPanes.forStrategy(strategy, combining ? sum : null) : null);
    }
    return output.stream().map(DefaultTriggerPanesTest::line).sorted().collect(Collectors.toList());
  }

  @SuppressWarnings("unchecked")
  private static String line(WindowedValue<?> pane) {
    KV<String, ?> kv = (KV<String, ?>) pane.getValue();
    Object contents = kv.getValue();
    if (contents instanceof Iterable) {
      // A window's values in their order of arrival.
      contents =
          StreamSupport.stream(((Iterable<Object>) contents).spliterator(), false)
              .collect(Collectors.toList());
    }
    return kv.getKey()
        + " "
        + pane.getWindows()
        + " "
        + contents
        + " "
        + pane.getTimestamp().getMillis()
        + " "
        + pane.getPaneInfo();
  }
}
