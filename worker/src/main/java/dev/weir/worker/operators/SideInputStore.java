package dev.weir.worker.operators;

import dev.weir.translation.ViewPanes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.InMemoryStateInternals;
import org.apache.beam.runners.core.LateDataUtils;
import org.apache.beam.runners.core.ReadyCheckingSideInputReader;
import org.apache.beam.runners.core.SideInputHandler;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The side inputs of one operator in one subtask. Elements arrive on broadcast edges and are kept
 * per view and window; a window of a view is ready once that edge's watermark has passed the point
 * after which no element of it can come (see {@link #completeAfter}), or, for a triggered view,
 * once a pane of it has arrived. A triggered view's elements arrive as whole panes ({@link
 * ViewPanes}), each replacing the window's contents, so a reader never sees part of a pane. The
 * contents are handed to runners-core's {@link SideInputHandler}, which applies the view's {@code
 * ViewFn}, and the result is cached until the next pane.
 *
 * <p>The contents and watermarks go into the operator's snapshot ({@link #snapshot}), since a
 * restored job does not send its side inputs again, and a window is dropped once no main-input
 * element can read it any more ({@link #collectGarbage}).
 */
public final class SideInputStore implements ReadyCheckingSideInputReader {
  static final String ENTRY = "side-inputs";
  private static final int FORMAT_VERSION = 1;
  private static final Coder<List<KV<String, byte[]>>> ENTRY_CODER =
      ListCoder.of(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()));

  private final Collection<PCollectionView<?>> views;
  // False for side inputs whose elements arrive one by one whatever their trigger (a portable
  // stage's: nothing groups them into panes before the broadcast edge).
  private final boolean wholePanes;
  private final Map<String, Instant> watermarks = new HashMap<>();
  // Everything that arrived per view and window; kept after a window is read, for snapshots.
  private final Map<String, Map<BoundedWindow, List<Object>>> contents = new HashMap<>();
  private final Map<String, Map<BoundedWindow, Object>> materialized = new HashMap<>();
  private final Map<String, Map<BoundedWindow, Long>> latestPane = new HashMap<>();
  // Per view, the latest horizon of collectGarbage: windows unreachable before it are gone.
  private final Map<String, Instant> collectedBefore = new HashMap<>();

  SideInputStore(Collection<PCollectionView<?>> views) {
    this(views, true);
  }

  /**
   * A store of side inputs whose elements arrive one by one, never as whole panes ({@link
   * ViewPanes}), whatever their views: a triggered window then shows the elements of its latest
   * pane index, as a triggered singleton's does here (see {@link #add}).
   */
  public static SideInputStore ofSingleElements(Collection<PCollectionView<?>> views) {
    return new SideInputStore(views, false);
  }

  private SideInputStore(Collection<PCollectionView<?>> views, boolean wholePanes) {
    this.views = views;
    this.wholePanes = wholePanes;
    for (PCollectionView<?> view : views) {
      String tag = view.getTagInternal().getId();
      watermarks.put(tag, BoundedWindow.TIMESTAMP_MIN_VALUE);
      contents.put(tag, new HashMap<>());
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
  public boolean add(PCollectionView<?> view, WindowedValue<?> element) {
    String tag = view.getTagInternal().getId();
    Map<BoundedWindow, List<Object>> byWindow = contents.get(tag);
    boolean panes = wholePanes && ViewPanes.arriveAsPanes(view);
    PaneInfo pane = element.getPaneInfo();
    boolean triggered =
        panes
            || (!PaneInfo.NO_FIRING.equals(pane)
                && !(view.getWindowingStrategyInternal().getTrigger() instanceof DefaultTrigger));
    if (!triggered) {
      for (BoundedWindow window : element.getWindows()) {
        // A window read already is complete: what comes after (late data) is not shown, and
        // must not change the list a reader's view may still be iterating.
        if (!materialized.get(tag).containsKey(window)) {
          byWindow.computeIfAbsent(window, w -> new ArrayList<>()).add(element.getValue());
        }
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
  public boolean advanceWatermark(PCollectionView<?> view, Instant watermark) {
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
    List<Object> windowContents = contents.get(tag).get(window);
    // A handler of its own for this one read, so nothing but this store keeps the contents and
    // dropping a window here frees them.
    SideInputHandler handler =
        new SideInputHandler(List.of(view), InMemoryStateInternals.forKey(null));
    handler.addSideInputValue(
        view,
        WindowedValues.of(
            windowContents == null ? List.of() : windowContents,
            window.maxTimestamp(),
            window,
            PaneInfo.ON_TIME_AND_ONLY_FIRING));
    T value = handler.get(view, window);
    done.put(window, value);
    return value;
  }

  /**
   * Drops the windows no main-input element can read any more: those every main-input window
   * mapping to which has expired, that is (Beam's rule, {@link
   * org.apache.beam.sdk.transforms.windowing.WindowMappingFn#maximumLookback}) whose end plus the
   * view's maximum lookback plus the main input's allowed lateness is before {@code horizon}. The
   * caller passes as horizon the main-input watermark, held back by main-input elements that wait
   * to be processed, and drops main-input elements that arrive expired.
   */
  public void collectGarbage(Instant horizon, Duration mainAllowedLateness) {
    for (PCollectionView<?> view : views) {
      String tag = view.getTagInternal().getId();
      if (horizon.isAfter(collectedBefore.getOrDefault(tag, BoundedWindow.TIMESTAMP_MIN_VALUE))) {
        collectedBefore.put(tag, horizon);
      }
      Duration lookback = view.getWindowMappingFn().maximumLookback();
      Set<BoundedWindow> windows = new HashSet<>(contents.get(tag).keySet());
      windows.addAll(materialized.get(tag).keySet());
      windows.addAll(latestPane.getOrDefault(tag, Map.of()).keySet());
      for (BoundedWindow window : windows) {
        if (horizon.isAfter(unreachableAfter(window, lookback, mainAllowedLateness))) {
          contents.get(tag).remove(window);
          materialized.get(tag).remove(window);
          if (latestPane.containsKey(tag)) {
            latestPane.get(tag).remove(window);
          }
        }
      }
    }
  }

  /**
   * True if the side-input window of {@code view} that main-input window {@code mainWindow}
   * reads may have been dropped by {@link #collectGarbage}: an element of that main-input window
   * came after it expired.
   */
  public boolean collected(PCollectionView<?> view, BoundedWindow mainWindow, Duration mainAllowedLateness) {
    Instant before = collectedBefore.get(view.getTagInternal().getId());
    if (before == null) {
      return false;
    }
    BoundedWindow sideWindow = view.getWindowMappingFn().getSideInputWindow(mainWindow);
    return before.isAfter(
        unreachableAfter(
            sideWindow, view.getWindowMappingFn().maximumLookback(), mainAllowedLateness));
  }

  private static Instant unreachableAfter(
      BoundedWindow window, Duration lookback, Duration mainAllowedLateness) {
    long millis;
    try {
      millis =
          Math.addExact(
              Math.addExact(window.maxTimestamp().getMillis(), lookback.getMillis()),
              mainAllowedLateness.getMillis());
    } catch (ArithmeticException e) {
      return BoundedWindow.TIMESTAMP_MAX_VALUE;
    }
    return millis >= BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis()
        ? BoundedWindow.TIMESTAMP_MAX_VALUE
        : new Instant(millis);
  }

  /** How many windows of all views this store holds anything for. */
  int heldWindows() {
    int held = 0;
    for (PCollectionView<?> view : views) {
      String tag = view.getTagInternal().getId();
      Set<BoundedWindow> windows = new HashSet<>(contents.get(tag).keySet());
      windows.addAll(materialized.get(tag).keySet());
      windows.addAll(latestPane.getOrDefault(tag, Map.of()).keySet());
      held += windows.size();
    }
    return held;
  }

  /**
   * This subtask's entry: per view its watermark and how far windows were collected, and per
   * window the contents and the index of the pane shown. What is materialized is not stored; it
   * is built again on the first read.
   */
  public Map<String, byte[]> snapshot(int subtaskIndex) {
    List<KV<String, byte[]>> byView = new ArrayList<>();
    for (PCollectionView<?> view : views) {
      String tag = view.getTagInternal().getId();
      List<KV<BoundedWindow, KV<Long, List<Object>>>> windows = new ArrayList<>();
      Map<BoundedWindow, Long> panes = latestPane.getOrDefault(tag, Map.of());
      contents
          .get(tag)
          .forEach(
              (window, values) -> windows.add(KV.of(window, KV.of(panes.get(window), values))));
      // A pane with no contents list yet is still a shown pane.
      panes.forEach(
          (window, index) -> {
            if (!contents.get(tag).containsKey(window)) {
              windows.add(KV.of(window, KV.of(index, List.of())));
            }
          });
      byView.add(
          KV.of(
              tag,
              SnapshotEntries.encode(
                  FORMAT_VERSION,
                  viewCoder(view),
                  KV.of(
                      KV.of(
                          watermarks.get(tag),
                          collectedBefore.getOrDefault(tag, BoundedWindow.TIMESTAMP_MIN_VALUE)),
                      windows))));
    }
    return Map.of(
        SnapshotEntries.name(ENTRY, subtaskIndex),
        SnapshotEntries.encode(FORMAT_VERSION, ENTRY_CODER, byView));
  }

  /**
   * Takes back the contents from {@code entries}. Side inputs are broadcast and barriers aligned,
   * so every old subtask received the same; they differ only in the windows each collected, which
   * follows its own main-input watermark. Per view, the copy that collected least is taken: it
   * holds every window not collected everywhere, and elements that would read one it lacks are
   * dropped as expired ({@link #collected}).
   */
  public void restore(Map<String, byte[]> entries) {
    Map<String, PCollectionView<?>> byTag = new HashMap<>();
    views.forEach(v -> byTag.put(v.getTagInternal().getId(), v));
    Map<String, KV<KV<Instant, Instant>, List<KV<BoundedWindow, KV<Long, List<Object>>>>>> taken =
        new HashMap<>();
    for (byte[] entry : SnapshotEntries.byOldSubtask(entries, ENTRY).values()) {
      for (KV<String, byte[]> stored :
          SnapshotEntries.decode(FORMAT_VERSION, ENTRY_CODER, entry, "side inputs")) {
        String tag = stored.getKey();
        PCollectionView<?> view = byTag.get(tag);
        if (view == null) {
          throw new IllegalStateException(
              "The snapshot has side input " + tag + ", which this ParDo does not read");
        }
        KV<KV<Instant, Instant>, List<KV<BoundedWindow, KV<Long, List<Object>>>>> state =
            SnapshotEntries.decode(
                FORMAT_VERSION, viewCoder(view), stored.getValue(), "side input " + tag);
        KV<KV<Instant, Instant>, List<KV<BoundedWindow, KV<Long, List<Object>>>>> before =
            taken.get(tag);
        if (before == null || state.getKey().getValue().isBefore(before.getKey().getValue())) {
          taken.put(tag, state);
        }
      }
    }
    taken.forEach(
        (tag, state) -> {
          watermarks.put(tag, state.getKey().getKey());
          collectedBefore.put(tag, state.getKey().getValue());
          for (KV<BoundedWindow, KV<Long, List<Object>>> window : state.getValue()) {
            contents.get(tag).put(window.getKey(), new ArrayList<>(window.getValue().getValue()));
            if (window.getValue().getKey() != null) {
              latestPane
                  .computeIfAbsent(tag, t -> new HashMap<>())
                  .put(window.getKey(), window.getValue().getKey());
            }
          }
        });
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Coder<KV<KV<Instant, Instant>, List<KV<BoundedWindow, KV<Long, List<Object>>>>>>
      viewCoder(PCollectionView<?> view) {
    Coder<BoundedWindow> windowCoder =
        (Coder<BoundedWindow>) view.getWindowingStrategyInternal().getWindowFn().windowCoder();
    Coder<Object> elementCoder = (Coder<Object>) view.getCoderInternal();
    return KvCoder.of(
        KvCoder.of(InstantCoder.of(), InstantCoder.of()),
        ListCoder.of(
            KvCoder.of(
                windowCoder,
                KvCoder.of(NullableCoder.of(VarLongCoder.of()), ListCoder.of(elementCoder)))));
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
