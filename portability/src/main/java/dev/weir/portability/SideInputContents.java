package dev.weir.portability;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.StateKey;
import org.apache.beam.runners.fnexecution.control.ProcessBundleDescriptors;
import org.apache.beam.runners.fnexecution.state.StateRequestHandler;
import org.apache.beam.runners.fnexecution.state.StateRequestHandlers;
import org.apache.beam.runners.fnexecution.translation.BatchSideInputHandlerFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.values.WindowedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The side inputs of one executable-stage subtask, gathered from their broadcast edges until each
 * is complete (its watermark at the end of time); then the harness's side-input state requests
 * (iterable and multimap access) are answered from them through Beam's {@link
 * BatchSideInputHandlerFactory}. Held in memory: side inputs of bounded pipelines only.
 */
final class SideInputContents {
  private final Map<String, List<WindowedValue<?>>> contents = new HashMap<>();
  private final List<String> incomplete = new ArrayList<>();

  SideInputContents(List<SideInputView> views) {
    for (SideInputView view : views) {
      contents.put(view.pcollection(), new ArrayList<>());
      incomplete.add(view.pcollection());
    }
  }

  void add(String pcollection, WindowedValue<?> element) {
    contents.get(pcollection).add(element);
  }

  /** The side input's watermark moved; returns true if that completed the last side input. */
  boolean watermarkAdvanced(String pcollection, Instant watermark) {
    if (watermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
      return false;
    }
    return incomplete.remove(pcollection) && incomplete.isEmpty();
  }

  boolean complete() {
    return incomplete.isEmpty();
  }

  /**
   * Answers the stage's side-input requests (iterable and multimap access), by request type; call
   * once {@link #complete}. Empty for a stage without side inputs.
   */
  Map<StateKey.TypeCase, StateRequestHandler> handlers(ExecutableStage stage) throws IOException {
    Map<StateKey.TypeCase, StateRequestHandler> byType = new EnumMap<>(StateKey.TypeCase.class);
    if (stage.getSideInputs().isEmpty()) {
      return byType;
    }
    BatchSideInputHandlerFactory.SideInputGetter getter = this::contentsOf;
    StateRequestHandler sideInputs =
        StateRequestHandlers.forSideInputHandlerFactory(
            ProcessBundleDescriptors.getSideInputs(stage),
            BatchSideInputHandlerFactory.forStage(stage, getter));
    byType.put(StateKey.TypeCase.ITERABLE_SIDE_INPUT, sideInputs);
    byType.put(StateKey.TypeCase.MULTIMAP_SIDE_INPUT, sideInputs);
    byType.put(StateKey.TypeCase.MULTIMAP_KEYS_SIDE_INPUT, sideInputs);
    return byType;
  }

  @SuppressWarnings("unchecked")
  private <T> List<T> contentsOf(String pcollection) {
    @Nullable List<WindowedValue<?>> values = contents.get(pcollection);
    if (values == null) {
      throw new IllegalStateException("No side input " + pcollection + " reaches this stage");
    }
    return (List<T>) (List<?>) values;
  }
}
