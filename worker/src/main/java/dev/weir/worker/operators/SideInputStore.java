package dev.weir.worker.operators;

import dev.weir.translation.ViewPanes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.InMemoryStateInternals;
import org.apache.beam.runners.core.LateDataUtils;
import org.apache.beam.runners.core.ReadyCheckingSideInputReader;
import org.apache.beam.runners.core.SideInputHandler;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The side inputs of one operator in one subtask. Elements arrive on broadcast edges and are kept
 * per view and window; a window of a view is ready once that edge's watermark has passed the point
 * after which no element of it can come (see {@link #completeAfter}), or, for a triggered view,
 * once a pane of it has arrived. A triggered view's elements arrive as whole panes ({@link
 * ViewPanes}), each replacing the window's contents, so a reader never sees part of a pane. The
 * contents are handed to runners-core's {@link SideInputHandler}, which applies the view's {@code
 * ViewFn}, and the result is cached until the next pane.
 */
final class SideInputStore implements ReadyCheckingSideInputReader {
  private final Collection<PCollectionView<?>> views;
  private final Map<String, Instant> watermarks = new HashMap<>();
  private final Map<String, Map<BoundedWindow, List<Object>>> pending = new HashMap<>();
  private final Map<String, Map<BoundedWindow, Object>> materialized = new HashMap<>();
  private final SideInputHandler handler;
  private final Map<String, Map<BoundedWindow, Long>> latestPane = new HashMap<>();

  SideInputStore(Collection<PCollectionView<?>> views) {
    this.views = views;
    this.handler = new SideInputHandler(views, InMemoryStateInternals.forKey(null));
    for (PCollectionView<?> view : views) {
      String tag = view.getTagInternal().getId();
      watermarks.put(tag, BoundedWindow.TIMESTAMP_MIN_VALUE);
      pending.put(tag, new HashMap<>());
      materialized.put(tag, new HashMap<>());
    }
  }

  /**
   * Adds what arrived for a view. For a view that {@link ViewPanes#arriveAsPanes arrives as
   * panes}, {@code element} is a whole pane: it makes its window ready and replaces the window's
   * contents, so a triggered side input shows its latest pane. A triggered singleton's element is
   * its pane's one value, so it does the same on its own; a second element of the same pane is
   * kept beside it, and the singleton's {@code ViewFn} then fails as Beam's does. Otherwise
   * {@code element} is one element, and its window is ready when the watermark has passed it.
   * Returns true if a window became ready or changed.
   */
  boolean add(PCollectionView<?> view, WindowedValue<?> element) {
    String tag = view.getTagInternal().getId();
    Map<BoundedWindow, List<Object>> byWindow = pending.get(tag);
    boolean panes = ViewPanes.arriveAsPanes(view);
    PaneInfo pane = element.getPaneInfo();
    boolean triggered =
        panes
            || (!PaneInfo.NO_FIRING.equals(pane)
                && !(view.getWindowingStrategyInternal().getTrigger() instanceof DefaultTrigger));
    if (!triggered) {
      for (BoundedWindow window : element.getWindows()) {
        byWindow.computeIfAbsent(window, w -> new ArrayList<>()).add(element.getValue());
      }
      return false;
    }
    boolean changed = false;
    for (BoundedWindow window : element.getWindows()) {
      Map<BoundedWindow, Long> shown = latestPane.computeIfAbsent(tag, t -> new HashMap<>());
      Long seen = shown.get(window);
      // A window's panes come in order from one producer; never go back to an older one.
      if (seen == null || pane.getIndex() > seen) {
        shown.put(window, pane.getIndex());
        byWindow.put(window, new ArrayList<>());
      } else if (panes || pane.getIndex() < seen) {
        continue;
      }
      if (panes) {
        ViewPanes.contents(element).forEach(byWindow.get(window)::add);
      } else {
        byWindow.get(window).add(element.getValue());
      }
      // Contents change: materialize again on the next read.
      materialized.get(tag).remove(window);
      changed = true;
    }
    return changed;
  }

  /** Returns true if the watermark of {@code view} moved. */
  boolean advanceWatermark(PCollectionView<?> view, Instant watermark) {
    String tag = view.getTagInternal().getId();
    if (watermark.isAfter(watermarks.get(tag))) {
      watermarks.put(tag, watermark);
      return true;
    }
    return false;
  }

  @Override
  public boolean isReady(PCollectionView<?> view, BoundedWindow window) {
    String tag = view.getTagInternal().getId();
    Map<BoundedWindow, Long> panes = latestPane.get(tag);
    return watermarks.get(tag).isAfter(completeAfter(view, window))
        || (panes != null && panes.containsKey(window));
  }

  /**
   * The watermark after which no more of a window's contents can come. The default trigger's
   * on-time pane goes out before the watermark passes the end of the window. Any other trigger
   * may not have fired by then (Never fires only at expiry) and late panes may follow, so a
   * window without a pane waits until it expires, at the end of the allowed lateness, as on
   * Beam's DirectRunner.
   */
  private static Instant completeAfter(PCollectionView<?> view, BoundedWindow window) {
    WindowingStrategy<?, ?> strategy = view.getWindowingStrategyInternal();
    if (strategy.getTrigger() instanceof DefaultTrigger) {
      return window.maxTimestamp();
    }
    return LateDataUtils.garbageCollectionTime(window, strategy);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> @Nullable T get(PCollectionView<T> view, BoundedWindow window) {
    String tag = view.getTagInternal().getId();
    Map<BoundedWindow, Object> done = materialized.get(tag);
    if (done.containsKey(window)) {
      return (T) done.get(window);
    }
    if (!isReady(view, window)) {
      throw new IllegalStateException(
          "Side input " + tag + " read for window " + window + " before it is ready");
    }
    // Triggered windows keep their pane's contents: a singleton's next element of the same pane
    // joins them.
    List<Object> contents =
        latestPane.containsKey(tag) && latestPane.get(tag).containsKey(window)
            ? pending.get(tag).get(window)
            : pending.get(tag).remove(window);
    handler.addSideInputValue(
        view,
        WindowedValues.of(
            contents == null ? List.of() : contents,
            window.maxTimestamp(),
            window,
            PaneInfo.ON_TIME_AND_ONLY_FIRING));
    T value = handler.get(view, window);
    done.put(window, value);
    return value;
  }

  @Override
  public <T> boolean contains(PCollectionView<T> view) {
    return views.contains(view);
  }

  @Override
  public boolean isEmpty() {
    return views.isEmpty();
  }
}
