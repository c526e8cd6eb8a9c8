package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Never;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

public class SideInputStoreTest {
  private static final IntervalWindow WINDOW = new IntervalWindow(new Instant(0), new Instant(10_000));
  private static final Duration LATENESS = Duration.standardSeconds(15);

  /** A list view of fixed 10 s windows whose trigger fires only when a window expires. */
  private static PCollectionView<List<Long>> viewFiringOnlyAtExpiry() {
    PipelineOptions options = PipelineOptionsFactory.create();
    // The pipeline is only built, for its view, never run.
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    return p.apply(Create.of(1L))
        .apply(
            Window.<Long>into(FixedWindows.of(Duration.standardSeconds(10)))
                .triggering(Never.ever())
                .withAllowedLateness(LATENESS)
                .discardingFiredPanes())
        .apply(View.asList());
  }

  @Test
  public void windowOfATriggeredViewIsNotReadyWhileLateDataMayStillCome() {
    PCollectionView<List<Long>> view = viewFiringOnlyAtExpiry();
    SideInputStore store = new SideInputStore(List.of(view));

    // Past the end of the window, but its only pane comes when the allowed lateness has passed.
    store.advanceWatermark(view, WINDOW.maxTimestamp().plus(Duration.standardSeconds(1)));
    assertFalse(store.isReady(view, WINDOW));

    store.advanceWatermark(view, WINDOW.maxTimestamp().plus(LATENESS));
    assertFalse(store.isReady(view, WINDOW));

    store.advanceWatermark(view, WINDOW.maxTimestamp().plus(LATENESS).plus(1));
    assertTrue(store.isReady(view, WINDOW));
    assertEquals(List.of(), store.get(view, WINDOW));
  }

  @Test
  public void windowOfATriggeredViewIsReadyWithItsPane() {
    PCollectionView<List<Long>> view = viewFiringOnlyAtExpiry();
    SideInputStore store = new SideInputStore(List.of(view));

    store.add(view, pane(List.of(7L), PaneInfo.createPane(true, true, PaneInfo.Timing.LATE)));

    assertTrue(store.isReady(view, WINDOW));
  }

  /** What the grouping stage of a triggered view sends: one firing's elements as one value. */
  private static WindowedValue<KV<Void, Iterable<Long>>> pane(List<Long> contents, PaneInfo pane) {
    return WindowedValues.of(KV.of(null, contents), WINDOW.maxTimestamp(), WINDOW, pane);
  }

  private static List<Long> listOf(Iterable<Long> values) {
    List<Long> list = new ArrayList<>();
    values.forEach(list::add);
    return list;
  }

  private static PCollectionView<Iterable<Long>> accumulatingViewWithLateFirings() {
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    return p.apply(Create.of(1L))
        .apply(
            Window.<Long>into(FixedWindows.of(Duration.standardSeconds(10)))
                .triggering(
                    AfterWatermark.pastEndOfWindow()
                        .withLateFirings(AfterPane.elementCountAtLeast(1)))
                .withAllowedLateness(LATENESS)
                .accumulatingFiredPanes())
        .apply(View.asIterable());
  }

  @Test
  public void aRestoredStoreShowsTheLatestPaneAndStillIgnoresOlderOnes() {
    PCollectionView<Iterable<Long>> view = accumulatingViewWithLateFirings();
    SideInputStore store = new SideInputStore(List.of(view));
    store.add(
        view,
        pane(List.of(4L, 7L), PaneInfo.createPane(false, false, PaneInfo.Timing.LATE, 1, 1)));
    store.advanceWatermark(view, new Instant(42_000));
    Map<String, byte[]> entries = store.snapshot(0);

    SideInputStore restored = new SideInputStore(List.of(view));
    restored.restore(entries);
    assertTrue(restored.isReady(view, WINDOW));
    assertEquals(List.of(4L, 7L), listOf(restored.get(view, WINDOW)));
    assertFalse(
        restored.add(
            view, pane(List.of(4L), PaneInfo.createPane(true, false, PaneInfo.Timing.ON_TIME))));
    assertEquals(List.of(4L, 7L), listOf(restored.get(view, WINDOW)));
    // The watermark came back too: a window it passed is ready without any element.
    IntervalWindow earlier = new IntervalWindow(new Instant(-20_000), new Instant(-10_000));
    assertTrue(restored.isReady(view, earlier));
  }

  @Test
  public void aWindowIsDroppedOnceEveryMainInputWindowThatCanReadItHasExpired() {
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    PCollectionView<Iterable<Long>> view =
        p.apply(Create.of(1L))
            .apply(Window.<Long>into(FixedWindows.of(Duration.standardSeconds(10))))
            .apply(View.asIterable());
    SideInputStore store = new SideInputStore(List.of(view));
    store.add(view, WindowedValues.of(7L, new Instant(1), WINDOW, PaneInfo.NO_FIRING));
    store.advanceWatermark(view, WINDOW.maxTimestamp().plus(1));
    assertEquals(List.of(7L), listOf(store.get(view, WINDOW)));
    assertEquals(1, store.heldWindows());

    // The main input may still have elements of that window within its allowed lateness.
    Duration mainLateness = Duration.standardSeconds(5);
    store.collectGarbage(WINDOW.maxTimestamp().plus(mainLateness), mainLateness);
    assertEquals(1, store.heldWindows());
    assertEquals(List.of(7L), listOf(store.get(view, WINDOW)));

    store.collectGarbage(WINDOW.maxTimestamp().plus(mainLateness).plus(1), mainLateness);
    assertEquals(0, store.heldWindows());
  }

  private static PCollectionView<Iterable<Long>> fixedWindowsView() {
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    return p.apply(Create.of(1L))
        .apply(Window.<Long>into(FixedWindows.of(Duration.standardSeconds(10))))
        .apply(View.asIterable());
  }

  @Test
  public void aRestoreTakesTheCopyOfTheOldSubtaskThatCollectedLeast() {
    PCollectionView<Iterable<Long>> view = fixedWindowsView();
    Map<String, byte[]> entries = new HashMap<>();
    for (int subtask = 0; subtask < 2; subtask++) {
      SideInputStore store = new SideInputStore(List.of(view));
      store.add(view, WindowedValues.of(7L, new Instant(1), WINDOW, PaneInfo.NO_FIRING));
      store.advanceWatermark(view, WINDOW.maxTimestamp().plus(1));
      if (subtask == 0) {
        // Subtask 0's main input is past the window; subtask 1's is not yet.
        store.collectGarbage(WINDOW.maxTimestamp().plus(1), Duration.ZERO);
        assertEquals(0, store.heldWindows());
      }
      entries.putAll(store.snapshot(subtask));
    }

    SideInputStore restored = new SideInputStore(List.of(view));
    restored.restore(entries);
    assertFalse(restored.collected(view, WINDOW, Duration.ZERO));
    assertEquals(List.of(7L), listOf(restored.get(view, WINDOW)));

    SideInputStore fromCollected = new SideInputStore(List.of(view));
    fromCollected.restore(Map.of("side-inputs/0", entries.get("side-inputs/0")));
    assertTrue(fromCollected.collected(view, WINDOW, Duration.ZERO));
  }

  @Test
  public void readersOfATriggeredViewSeeEachPaneWholeAndThenTheNext() {
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    PCollectionView<Iterable<Long>> view =
        p.apply(Create.of(1L))
            .apply(
                Window.<Long>into(FixedWindows.of(Duration.standardSeconds(10)))
                    .triggering(
                        AfterWatermark.pastEndOfWindow()
                            .withLateFirings(AfterPane.elementCountAtLeast(1)))
                    .withAllowedLateness(LATENESS)
                    .accumulatingFiredPanes())
            .apply(View.asIterable());
    SideInputStore store = new SideInputStore(List.of(view));

    assertTrue(
        store.add(
            view, pane(List.of(4L, 7L), PaneInfo.createPane(true, false, PaneInfo.Timing.ON_TIME))));
    assertTrue(store.isReady(view, WINDOW));
    assertEquals(List.of(4L, 7L), listOf(store.get(view, WINDOW)));

    assertTrue(
        store.add(
            view,
            pane(List.of(4L, 7L, 2L), PaneInfo.createPane(false, false, PaneInfo.Timing.LATE, 1, 1))));
    assertEquals(List.of(4L, 7L, 2L), listOf(store.get(view, WINDOW)));
  }
}
