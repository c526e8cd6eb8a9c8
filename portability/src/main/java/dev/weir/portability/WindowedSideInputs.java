package dev.weir.portability;

import dev.weir.worker.operators.OperatorContext;
import dev.weir.worker.operators.PushedBackElements;
import dev.weir.worker.operators.SideInputStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.StateKey;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.control.ProcessBundleDescriptors;
import org.apache.beam.runners.fnexecution.state.StateRequestHandler;
import org.apache.beam.runners.fnexecution.state.StateRequestHandlers;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The side inputs of one executable-stage subtask of a pipeline with unbounded PCollections, ready
 * window by window as in a classic streaming ParDo: the elements and watermarks of the broadcast
 * edges go into the classic path's {@link SideInputStore} (a window is ready once the side
 * input's watermark has passed it, or, for a triggered side input, once a pane of it has come);
 * a main-input element waits, per window, until the side-input window it maps to is ready in
 * every side input ({@link PushedBackElements}, which holds the stage's output watermark); the
 * harness's side-input requests (iterable and multimap access) are answered from the store's
 * contents of the window asked for. Contents, watermarks and waiting elements go into the
 * operator's snapshot entries, since a restored job does not send its side inputs again.
 *
 * <p>The store is read on the Fn API's gRPC threads while the subtask's thread may add to it (a
 * bundle stays open across elements), so every use of it holds this object's lock.
 */
final class WindowedSideInputs implements StateRequestHandlers.SideInputHandlerFactory {
  private final Map<String, SideInputView> byPCollection = new LinkedHashMap<>();
  private final SideInputStore store;
  private final PushedBackElements pushedBack;
  private final RunnerApi.Components components;

  WindowedSideInputs(
      List<SideInputView> views,
      Coder<WindowedValue<Object>> mainInputCoder,
      RunnerApi.Components components) {
    for (SideInputView view : views) {
      byPCollection.put(view.pcollection(), view);
    }
    this.store = SideInputStore.ofSingleElements(new ArrayList<>(byPCollection.values()));
    this.pushedBack = new PushedBackElements(mainInputCoder);
    this.components = components;
  }

  /** The stage's own view of the edge's {@code view} (the edge's may be another copy). */
  private SideInputView own(PCollectionView<?> view) {
    SideInputView own = byPCollection.get(view.getTagInternal().getId());
    if (own == null) {
      throw new IllegalStateException("No side input " + view.getTagInternal().getId());
    }
    return own;
  }

  /** Adds an element of a side input; true if that made a window ready or changed one. */
  synchronized boolean add(PCollectionView<?> view, WindowedValue<?> element) {
    return store.add(own(view), element);
  }

  /** A side input's watermark advanced; true if it moved (windows may be ready now). */
  synchronized boolean advanceWatermark(PCollectionView<?> view, Instant watermark) {
    return store.advanceWatermark(own(view), watermark);
  }

  /** True if every side input is ready for main-input window {@code window}. */
  synchronized boolean ready(BoundedWindow window) {
    for (SideInputView view : byPCollection.values()) {
      if (!store.isReady(view, view.getWindowMappingFn().getSideInputWindow(window))) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code element} in the windows whose side inputs are ready, one element per window (each
   * window reads side inputs of its own); the others wait, each with {@code bundle}.
   */
  List<WindowedValue<Object>> readyOrWaiting(WindowedValue<Object> element, long bundle) {
    List<WindowedValue<Object>> ready = new ArrayList<>();
    for (WindowedValue<Object> single : element.explodeWindows()) {
      if (ready(single.getWindows().iterator().next())) {
        ready.add(single);
      } else {
        pushedBack.add(bundle, single);
      }
    }
    return ready;
  }

  boolean anyWaiting() {
    return !pushedBack.isEmpty();
  }

  /** Removes and returns the waiting elements, each with its bundle, in arrival order. */
  List<KV<Long, WindowedValue<Object>>> takeWaiting() {
    return pushedBack.takeAll();
  }

  /** The earliest timestamp of a waiting element, which holds the output watermark. */
  Instant hold() {
    return pushedBack.earliestTimestamp();
  }

  /**
   * {@code element} without the windows whose side inputs may have been dropped already ({@link
   * #collectGarbage}: it came after its window expired); null if none is left. Returns how many
   * windows were dropped through {@code dropped}.
   */
  synchronized @Nullable WindowedValue<Object> withoutCollectedWindows(
      WindowedValue<Object> element, Duration mainAllowedLateness, Runnable dropped) {
    List<BoundedWindow> kept = new ArrayList<>();
    for (BoundedWindow window : element.getWindows()) {
      boolean readable = true;
      for (SideInputView view : byPCollection.values()) {
        readable &= !store.collected(view, window, mainAllowedLateness);
      }
      if (readable) {
        kept.add(window);
      } else {
        dropped.run();
      }
    }
    if (kept.size() == element.getWindows().size()) {
      return element;
    }
    return kept.isEmpty()
        ? null
        : WindowedValues.of(
            element.getValue(), element.getTimestamp(), kept, element.getPaneInfo());
  }

  /**
   * Drops the side-input windows no main-input element can read any more, given the main input's
   * watermark: elements waiting here were not expired when they came, so the horizon stays before
   * their windows' expiry (as a classic ParDo's).
   */
  synchronized void collectGarbage(Instant inputWatermark, Duration mainAllowedLateness) {
    if (!inputWatermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
      // The subtask ends soon; a fused producer's last output may still come and must read.
      return;
    }
    Instant horizon = inputWatermark;
    Instant waiting = pushedBack.earliestWindowEnd();
    if (waiting.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)
        && waiting.plus(mainAllowedLateness).isBefore(horizon)) {
      horizon = waiting.plus(mainAllowedLateness);
    }
    store.collectGarbage(horizon, mainAllowedLateness);
  }

  synchronized Map<String, byte[]> snapshot(int subtaskIndex) {
    Map<String, byte[]> entries = new HashMap<>(store.snapshot(subtaskIndex));
    entries.putAll(pushedBack.snapshot(subtaskIndex));
    return entries;
  }

  /**
   * Takes back the side inputs and the waiting elements this subtask owns; {@code keyGroupOf}
   * tells a keyed stage's elements' key groups (null for a stage that is not keyed).
   */
  synchronized void restore(
      Map<String, byte[]> entries,
      OperatorContext context,
      @Nullable ToIntFunction<WindowedValue<Object>> keyGroupOf) {
    if (entries.isEmpty()) {
      return;
    }
    store.restore(entries);
    pushedBack.restore(entries, context, keyGroupOf);
  }

  /** Answers the stage's side-input requests from the store, by request type. */
  Map<StateKey.TypeCase, StateRequestHandler> handlers(ExecutableStage stage) throws IOException {
    Map<StateKey.TypeCase, StateRequestHandler> byType = new EnumMap<>(StateKey.TypeCase.class);
    StateRequestHandler sideInputs =
        StateRequestHandlers.forSideInputHandlerFactory(
            ProcessBundleDescriptors.getSideInputs(stage), this);
    byType.put(StateKey.TypeCase.ITERABLE_SIDE_INPUT, sideInputs);
    byType.put(StateKey.TypeCase.MULTIMAP_SIDE_INPUT, sideInputs);
    byType.put(StateKey.TypeCase.MULTIMAP_KEYS_SIDE_INPUT, sideInputs);
    return byType;
  }

  /**
   * The elements of {@code window} of the side input that {@code transformId}'s {@code localName}
   * reads; fails if that window is not ready, which a main-input element that waited cannot see.
   */
  @SuppressWarnings("unchecked")
  private Iterable<Object> contents(String transformId, String localName, BoundedWindow window) {
    String pcollection =
        components.getTransformsOrThrow(transformId).getInputsOrThrow(localName);
    SideInputView view = byPCollection.get(pcollection);
    if (view == null) {
      throw new IllegalStateException("No side input " + pcollection + " reaches this stage");
    }
    synchronized (this) {
      Iterable<Object> contents = (Iterable<Object>) store.get(view, window);
      // A copy: the harness reads it after the lock is released, and a later element of the
      // same pane of a triggered side input is added to the store's list.
      List<Object> copy = new ArrayList<>();
      if (contents != null) {
        contents.forEach(copy::add);
      }
      return copy;
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public <V, W extends BoundedWindow> StateRequestHandlers.IterableSideInputHandler<V, W>
      forIterableSideInput(
          String transformId, String sideInputId, Coder<V> elementCoder, Coder<W> windowCoder) {
    return new StateRequestHandlers.IterableSideInputHandler<V, W>() {
      @Override
      public Iterable<V> get(W window) {
        return (Iterable<V>) contents(transformId, sideInputId, window);
      }

      @Override
      public Coder<V> elementCoder() {
        return elementCoder;
      }
    };
  }

  @Override
  public <K, V, W extends BoundedWindow> StateRequestHandlers.MultimapSideInputHandler<K, V, W>
      forMultimapSideInput(
          String transformId, String sideInputId, KvCoder<K, V> elementCoder, Coder<W> windowCoder) {
    Coder<K> keyCoder = elementCoder.getKeyCoder();
    return new StateRequestHandlers.MultimapSideInputHandler<K, V, W>() {
      @Override
      @SuppressWarnings("unchecked")
      public Iterable<K> get(W window) {
        // Keys compared by their structural values (encoded bytes where equals is not enough).
        Map<Object, K> keys = new LinkedHashMap<>();
        for (Object element : contents(transformId, sideInputId, window)) {
          K key = ((KV<K, V>) element).getKey();
          keys.putIfAbsent(keyCoder.structuralValue(key), key);
        }
        return new ArrayList<>(keys.values());
      }

      @Override
      @SuppressWarnings("unchecked")
      public Iterable<V> get(K key, W window) {
        Object wanted = keyCoder.structuralValue(key);
        List<V> values = new ArrayList<>();
        for (Object element : contents(transformId, sideInputId, window)) {
          KV<K, V> kv = (KV<K, V>) element;
          if (wanted.equals(keyCoder.structuralValue(kv.getKey()))) {
            values.add(kv.getValue());
          }
        }
        return values;
      }

      @Override
      public Coder<K> keyCoder() {
        return keyCoder;
      }

      @Override
      public Coder<V> valueCoder() {
        return elementCoder.getValueCoder();
      }
    };
  }
}
