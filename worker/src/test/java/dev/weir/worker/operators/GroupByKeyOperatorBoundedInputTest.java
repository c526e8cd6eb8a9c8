package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.weir.state.KeyedStateBackend;
import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.GroupByKeyPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.StagePlan;
import dev.weir.translation.TransformOverrides;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.windowing.AfterEach;
import org.apache.beam.sdk.transforms.windowing.AfterFirst;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A GroupByKey of a bounded input holds its values until the watermark jumps to the end and then
 * groups each key at once; what it emits must be what the keyed-state path emits for the same
 * input and time (that path runs here under checkpoints, where values are never held), also when
 * the watermark moves before the end, when the held values exceed the capacity (and go to disk),
 * and with late data and early, late and final panes.
 */
public class GroupByKeyOperatorBoundedInputTest {
  private static final Duration GAP = Duration.millis(10);

  /** A step of the input: elements or a watermark advance. */
  private interface Step {
    void apply(GroupByKeyOperator gbk);
  }

  private static Step element(String key, int value, long timestamp) {
    return gbk -> {
      IntervalWindow window = new IntervalWindow(new Instant(timestamp), GAP);
      gbk.processElement(
          WindowedValues.of(KV.of(key, value), new Instant(timestamp), window, PaneInfo.NO_FIRING));
    };
  }

  private static Step watermark(Instant watermark) {
    return gbk -> {
      gbk.finishBundle();
      gbk.advanceInputWatermark(watermark);
    };
  }

  private static Step watermark(long millis) {
    return watermark(new Instant(millis));
  }

  private static final Step END = watermark(BoundedWindow.TIMESTAMP_MAX_VALUE);

  // The operators' processing time, moved by processingTime steps.
  private long nowMillis;

  private Step processingTime(Duration sinceStart) {
    return gbk -> {
      nowMillis = sinceStart.getMillis();
      gbk.finishBundle();
      gbk.advanceProcessingTime(new Instant(nowMillis));
    };
  }

  private static List<Step> valuesOfThreeKeysInTheGlobalWindow() {
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String key = List.of("a", "b", "c").get(i % 3);
      steps.add(
          gbk ->
              gbk.processElement(
                  WindowedValues.of(
                      KV.of(key, 1), new Instant(0), GlobalWindow.INSTANCE, PaneInfo.NO_FIRING)));
    }
    return steps;
  }

  /** Nexmark q12's windowing: a pane per key 10 s of processing time after its first value. */
  private static Window<KV<String, Integer>> tenSecondsAfterTheFirstValue() {
    return Window.<KV<String, Integer>>into(new GlobalWindows())
        .triggering(
            Repeatedly.forever(
                AfterProcessingTime.pastFirstElementInPane()
                    .plusDelayOf(Duration.standardSeconds(10))))
        .discardingFiredPanes();
  }

  @Test
  public void aProcessingTimeTriggerWhoseDelayHasNotPassedAtTheEndGroupsTheWholeInputAtTheEnd() {
    List<Step> input = new ArrayList<>(valuesOfThreeKeysInTheGlobalWindow());
    input.add(processingTime(Duration.standardSeconds(9)));
    Run held = new Run(plan(tenSecondsAfterTheFirstValue()), false, Long.MAX_VALUE);
    List<Step> steps = new ArrayList<>(input);
    steps.add(
        gbk -> {
          // Held, not in keyed state: no processing-time timer there, only the held values' limit.
          assertNull(held.backend.nextTimerTimestamp(TimeDomain.PROCESSING_TIME));
          assertEquals(new Instant(10_000), gbk.nextProcessingTimer());
        });
    steps.add(END);
    input.add(END);

    List<String> panes = run(held, steps);

    Run keyedState = new Run(plan(tenSecondsAfterTheFirstValue()), true, Long.MAX_VALUE);
    assertEquals(run(keyedState, input), panes);
    assertEquals(3, panes.size());
    assertTrue(
        panes.get(0), panes.get(0).startsWith("a [GlobalWindow] [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"));
  }

  @Test
  public void heldValuesGoToKeyedStateOnceTheTriggersDelayHasPassedAndFireThere() {
    List<String> beforeEnd = new ArrayList<>();
    Step panesBeforeEnd =
        gbk ->
            output.stream()
                .map(GroupByKeyOperatorBoundedInputTest::line)
                .sorted()
                .forEach(beforeEnd::add);
    List<Step> input = new ArrayList<>(valuesOfThreeKeysInTheGlobalWindow());
    input.add(processingTime(Duration.standardSeconds(10)));
    Run held = new Run(plan(tenSecondsAfterTheFirstValue()), false, Long.MAX_VALUE);
    List<Step> steps = new ArrayList<>(input);
    steps.add(
        gbk ->
            // In keyed state now, with the trigger's timer 10 s after they went there.
            assertEquals(
                new Instant(20_000), held.backend.nextTimerTimestamp(TimeDomain.PROCESSING_TIME)));
    steps.add(processingTime(Duration.standardSeconds(21)));
    steps.add(panesBeforeEnd);
    steps.add(END);
    input.add(processingTime(Duration.standardSeconds(21)));
    input.add(END);

    List<String> panes = run(held, steps);

    // A pane per key with its values, early, and at the end the empty on-time pane Beam's
    // default on-time behaviour asks for: as the keyed-state path gives, which fired at 10 s.
    assertEquals(3, beforeEnd.size());
    assertTrue(beforeEnd.get(0), beforeEnd.get(0).contains("[1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"));
    assertTrue(beforeEnd.get(0), beforeEnd.get(0).contains("EARLY"));
    assertEquals(6, panes.size());
    assertTrue(panes.containsAll(beforeEnd));
    assertEquals(
        run(new Run(plan(tenSecondsAfterTheFirstValue()), true, Long.MAX_VALUE), input), panes);
  }

  /**
   * Nexmark q10's trigger: processing time counts only in its late phase, which starts after the
   * end of the window, so no processing-time pane can be due while a bounded input is held.
   */
  @Test
  public void processingTimeInLateFiringsOnlyDoesNotLimitHowLongValuesAreHeld() {
    Window<KV<String, Integer>> window =
        Window.<KV<String, Integer>>into(FixedWindows.of(Duration.millis(10)))
            .triggering(
                AfterEach.inOrder(
                    Repeatedly.forever(AfterPane.elementCountAtLeast(1_000))
                        .orFinally(AfterWatermark.pastEndOfWindow()),
                    Repeatedly.forever(
                        AfterFirst.of(
                            AfterPane.elementCountAtLeast(1_000),
                            AfterProcessingTime.pastFirstElementInPane()
                                .plusDelayOf(Duration.standardSeconds(10))))))
            .withAllowedLateness(Duration.standardDays(1))
            .discardingFiredPanes();
    List<Step> steps = new ArrayList<>(tenValuesOfAAndBInTheirOwnFixedWindows());
    steps.add(processingTime(Duration.standardDays(2)));
    Run held = new Run(plan(window), false, Long.MAX_VALUE);
    steps.add(
        gbk -> {
          assertNull(gbk.nextProcessingTimer());
          assertNull(held.backend.nextTimerTimestamp(TimeDomain.EVENT_TIME));
        });
    steps.add(END);

    List<String> panes = run(held, steps);

    assertEquals(EACH_WINDOW_ONCE_ON_TIME, panes);
  }

  private static List<Step> sessionsOfThreeKeys() {
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      // Key a: sessions merging through values 5 ms apart, broken every 10th value.
      steps.add(element("a", i, i * 5L + (i / 10) * 100L));
      steps.add(element("b", i, 1_000L - i * 7L));
      if (i % 4 == 0) {
        steps.add(element("c", i, i * 50L));
      }
    }
    return steps;
  }

  @Test
  public void sessionsOfABoundedInputComeOutAtTheEndAsFromKeyedState() {
    List<Step> steps = new ArrayList<>(sessionsOfThreeKeys());
    List<WindowedValue<?>> beforeEnd = new ArrayList<>();
    steps.add(gbk -> beforeEnd.addAll(output));
    steps.add(END);

    List<String> held = run(new Run(defaultSessions(), false, Long.MAX_VALUE), steps);

    assertEquals(List.of(), beforeEnd);
    assertEquals(run(new Run(defaultSessions(), true, Long.MAX_VALUE), steps), held);
    // Key a: four sessions of ten values; key b: one session; key c: every value alone.
    assertEquals(4 + 1 + 10, held.size());
  }

  @Test
  public void valuesHeldWhenTheWatermarkMovesBeforeTheEndGoToKeyedStateAndLateOnesAreDropped() {
    List<Step> steps = new ArrayList<>(sessionsOfThreeKeys());
    steps.add(watermark(300));
    // Behind the watermark and past the allowed lateness of zero: dropped by both paths.
    steps.add(element("a", 100, 10));
    steps.add(element("d", 101, 500));
    steps.add(END);

    List<String> held = run(new Run(defaultSessions(), false, Long.MAX_VALUE), steps);

    assertEquals(run(new Run(defaultSessions(), true, Long.MAX_VALUE), steps), held);
    assertTrue(held.stream().anyMatch(line -> line.startsWith("d ")));
    assertTrue(
        held.stream()
            .noneMatch(
                line ->
                    line.contains("[100,") || line.contains(" 100,") || line.contains(" 100]")));
  }

  @Test
  public void valuesBeyondTheCapacitySpillToDiskWithTheSameResult() {
    List<Step> steps = new ArrayList<>(sessionsOfThreeKeys());
    steps.add(END);

    List<String> spilling = run(new Run(defaultSessions(), false, 7), steps);

    assertEquals(run(new Run(defaultSessions(), true, Long.MAX_VALUE), steps), spilling);
    assertEquals(15, spilling.size());
  }

  /**
   * Values past the capacity go to disk, not into keyed state: in keyed state a key's session
   * windows pile up while the watermark stands still and are read and written again per bundle,
   * which made Nexmark q11 at 10 M events six times slower per event than at 1 M.
   */
  @Test
  public void valuesBeyondTheCapacityStayOutOfKeyedStateAndTheirFilesGoAtTheEnd()
      throws Exception {
    Run spilling = new Run(defaultSessions(), false, 7);
    GroupByKeyOperator gbk = spilling.open();
    for (Step step : sessionsOfThreeKeys()) {
      step.apply(gbk);
    }
    gbk.finishBundle();

    assertNull(spilling.backend.nextTimerTimestamp(TimeDomain.EVENT_TIME));
    assertFalse(filesUnder(scratch.getRoot().toPath()).isEmpty());
    END.apply(gbk);
    assertEquals(15, output.size());
    assertEquals(List.of(), filesUnder(scratch.getRoot().toPath()));
    gbk.close();
  }

  @Test
  public void valuesSpilledBeforeTheWatermarkMovesGoToKeyedStateWithTheSameResult() {
    List<Step> steps = new ArrayList<>(sessionsOfThreeKeys());
    steps.add(watermark(300));
    steps.add(element("a", 100, 10));
    steps.add(element("d", 101, 500));
    steps.add(END);

    List<String> spilling = run(new Run(defaultSessions(), false, 7), steps);

    assertEquals(run(new Run(defaultSessions(), true, Long.MAX_VALUE), steps), spilling);
    assertEquals(List.of(), filesUnder(scratch.getRoot().toPath()));
  }

  @Test
  public void closingBeforeTheEndDeletesTheSpilledFiles() {
    Run spilling = new Run(defaultSessions(), false, 7);
    GroupByKeyOperator gbk = spilling.open();
    for (Step step : sessionsOfThreeKeys()) {
      step.apply(gbk);
    }
    assertFalse(filesUnder(scratch.getRoot().toPath()).isEmpty());

    gbk.close();

    assertEquals(List.of(), filesUnder(scratch.getRoot().toPath()));
  }

  private static List<Path> filesUnder(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      return paths.filter(Files::isRegularFile).collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  public void earlyAndLateFiringsAndAccumulationMatchTheKeyedStatePath() {
    Window<KV<String, Integer>> window =
        Window.<KV<String, Integer>>into(Sessions.withGapDuration(GAP))
            .triggering(
                AfterWatermark.pastEndOfWindow()
                    .withEarlyFirings(AfterPane.elementCountAtLeast(3))
                    .withLateFirings(AfterPane.elementCountAtLeast(1)))
            .withAllowedLateness(Duration.millis(1_000))
            .accumulatingFiredPanes();
    List<Step> steps = new ArrayList<>(sessionsOfThreeKeys());
    steps.add(END);

    List<String> held = run(new Run(plan(window), false, Long.MAX_VALUE), steps);
    List<String> spilled = run(new Run(plan(window), false, 7), steps);

    assertEquals(run(new Run(plan(window), true, Long.MAX_VALUE), steps), held);
    assertEquals(held, spilled);
    assertTrue(held.stream().anyMatch(line -> line.contains("EARLY")));
  }

  /**
   * Nexmark q10's shape: fixed windows with a day of allowed lateness, and the watermark leaping
   * from before the windows' ends to the end of time, past their end-of-window and their
   * garbage-collection times at once. Each key's window fires once: ON_TIME, first and last. A
   * runner that fired the garbage-collection timer on its own after the window was collected would
   * add an empty ON_TIME pane that is again the first (Flink's runner does, see BENCHMARKS.md q10).
   */
  @Test
  public void aWatermarkLeapingPastTheAllowedLatenessFiresEachWindowOnce() {
    Window<KV<String, Integer>> window =
        Window.<KV<String, Integer>>into(FixedWindows.of(Duration.millis(10)))
            .withAllowedLateness(Duration.standardDays(1))
            .discardingFiredPanes();
    List<Step> steps = new ArrayList<>(tenValuesOfAAndBInTheirOwnFixedWindows());
    steps.add(watermark(5));
    steps.add(END);

    for (boolean checkpointing : List.of(true, false)) {
      List<String> panes = run(new Run(plan(window), checkpointing, Long.MAX_VALUE), steps);

      assertEquals(EACH_WINDOW_ONCE_ON_TIME, panes);
    }
  }

  /** Keys a and b, ten values each, in fixed windows of 10 ms: [0, 10) and [10, 20). */
  private static List<Step> tenValuesOfAAndBInTheirOwnFixedWindows() {
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      steps.add(elementIn("a", i, i, 0));
      steps.add(elementIn("b", i, 10 + i, 10));
    }
    return steps;
  }

  /** The panes of those values when their windows fire once, at the end: ON_TIME, first, last. */
  private static final List<String> EACH_WINDOW_ONCE_ON_TIME =
      List.of(
          "a [[1970-01-01T00:00:00.000Z..1970-01-01T00:00:00.010Z)] [0, 1, 2, 3, 4, 5, 6, 7, 8,"
              + " 9] 9 ON_TIME first=true last=true index=0 onTimeIndex=0",
          "b [[1970-01-01T00:00:00.010Z..1970-01-01T00:00:00.020Z)] [0, 1, 2, 3, 4, 5, 6, 7, 8,"
              + " 9] 19 ON_TIME first=true last=true index=0 onTimeIndex=0");

  private static Step elementIn(String key, int value, long timestamp, long windowStart) {
    return gbk -> {
      IntervalWindow window = new IntervalWindow(new Instant(windowStart), Duration.millis(10));
      gbk.processElement(
          WindowedValues.of(KV.of(key, value), new Instant(timestamp), window, PaneInfo.NO_FIRING));
    };
  }

  @Test
  public void theHeldPathLeavesNothingInTheStateBackend() {
    List<Step> steps = new ArrayList<>(sessionsOfThreeKeys());
    Run held = new Run(defaultSessions(), false, Long.MAX_VALUE);
    GroupByKeyOperator gbk = held.open();
    for (Step step : steps) {
      step.apply(gbk);
    }
    gbk.finishBundle();
    // Nothing of the values went into keyed state: no timer was set for any window.
    assertNull(held.backend.nextTimerTimestamp(TimeDomain.EVENT_TIME));
    END.apply(gbk);
    assertEquals(15, output.size());
    gbk.close();
  }

  /**
   * After a GroupByKey of sessions the windows are already merged (Beam marks the strategy so):
   * a second GroupByKey keeps them as they come, overlapping or not, as Beam's
   * GroupByKeyTest.testWindowFnPostMerging expects; merging them up front would join them.
   */
  @Test
  public void windowsOfAnAlreadyMergedStrategyAreNotMergedAgain() {
    Run held = new Run(alreadyMergedSessions(), false, Long.MAX_VALUE);
    List<Step> steps =
        List.of(
            elementInWindow("k", 5, 1, new IntervalWindow(new Instant(1), new Instant(8))),
            elementInWindow("k", 3, 3, new IntervalWindow(new Instant(3), new Instant(7))),
            END);

    List<String> panes = run(held, steps);

    assertEquals(2, panes.size());
    assertEquals(run(new Run(alreadyMergedSessions(), true, Long.MAX_VALUE), steps), panes);
  }

  private static Step elementInWindow(String key, int value, long timestamp, IntervalWindow w) {
    return gbk ->
        gbk.processElement(
            WindowedValues.of(KV.of(key, value), new Instant(timestamp), w, PaneInfo.NO_FIRING));
  }

  /** The second of two GroupByKeys of sessions, whose strategy is already merged. */
  private static GroupByKeyPlan alreadyMergedSessions() {
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    p.apply(Create.of(KV.of("k", 1)))
        .apply(Window.<KV<String, Integer>>into(Sessions.withGapDuration(GAP)))
        .apply("First", GroupByKey.create())
        .apply("Second", GroupByKey.create());
    TransformOverrides.apply(p);
    ExecutionPlan plan = PipelineTranslator.translate(p, "test", 1, 128);
    for (StagePlan stage : plan.stages()) {
      for (OperatorPlan operator : stage.operators()) {
        if (operator instanceof GroupByKeyPlan
            && ((GroupByKeyPlan) operator).windowingStrategy().isAlreadyMerged()) {
          return (GroupByKeyPlan) operator;
        }
      }
    }
    throw new AssertionError("No already merged GroupByKey in " + plan);
  }

  @Rule public final TemporaryFolder scratch = new TemporaryFolder();

  private final List<WindowedValue<?>> output = new ArrayList<>();

  /** One operator: the keyed-state path under checkpoints, else the held path. */
  private final class Run {
    final GroupByKeyPlan plan;
    final boolean checkpointing;
    final long capacity;
    KeyedStateBackend backend;

    Run(GroupByKeyPlan plan, boolean checkpointing, long capacity) {
      this.plan = plan;
      this.checkpointing = checkpointing;
      this.capacity = capacity;
    }

    GroupByKeyOperator open() {
      FakeOperatorContext context = new FakeOperatorContext(0, 1, output::add);
      context
          .withHeapStateBackend()
          .withProcessingTime(() -> new Instant(nowMillis))
          .withScratchDirectory(scratch.getRoot().toPath());
      if (checkpointing) {
        context.withCheckpointing();
      }
      backend = context.createStateBackend(null);
      GroupByKeyOperator gbk = new GroupByKeyOperator(plan, capacity);
      gbk.open(context);
      return gbk;
    }
  }

  /** What {@code run} emits for {@code steps}, one sorted line per pane. */
  private List<String> run(Run run, List<Step> steps) {
    output.clear();
    nowMillis = 0;
    GroupByKeyOperator gbk = run.open();
    for (Step step : steps) {
      step.apply(gbk);
    }
    gbk.close();
    List<String> lines = output.stream().map(GroupByKeyOperatorBoundedInputTest::line).sorted()
        .collect(Collectors.toList());
    output.clear();
    return lines;
  }

  @SuppressWarnings("unchecked")
  private static String line(WindowedValue<?> pane) {
    KV<String, Iterable<Integer>> kv = (KV<String, Iterable<Integer>>) pane.getValue();
    List<Integer> values =
        StreamSupport.stream(kv.getValue().spliterator(), false).sorted().collect(
            Collectors.toList());
    PaneInfo info = pane.getPaneInfo();
    return kv.getKey()
        + " "
        + pane.getWindows()
        + " "
        + values
        + " "
        + pane.getTimestamp().getMillis()
        + " "
        + info.getTiming()
        + " first="
        + info.isFirst()
        + " last="
        + info.isLast()
        + " index="
        + info.getIndex()
        + " onTimeIndex="
        + info.getNonSpeculativeIndex();
  }

  private static GroupByKeyPlan defaultSessions() {
    return plan(Window.<KV<String, Integer>>into(Sessions.withGapDuration(GAP)));
  }

  /** The GroupByKey of a bounded input windowed by {@code window}, as translation plans it. */
  private static GroupByKeyPlan plan(Window<KV<String, Integer>> window) {
    PipelineOptions options = PipelineOptionsFactory.create();
    // The pipeline is only translated, never run.
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    p.apply(Create.of(KV.of("k", 1))).apply(window).apply(GroupByKey.create());
    TransformOverrides.apply(p);
    ExecutionPlan plan = PipelineTranslator.translate(p, "test", 1, 128);
    for (StagePlan stage : plan.stages()) {
      for (OperatorPlan operator : stage.operators()) {
        if (operator instanceof GroupByKeyPlan) {
          assertTrue(((GroupByKeyPlan) operator).boundedInput());
          return (GroupByKeyPlan) operator;
        }
      }
    }
    throw new AssertionError("No GroupByKey in " + plan);
  }
}
