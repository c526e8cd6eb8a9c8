package dev.weir.translation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.SplittableParDoViaKeyedWorkItems.ProcessFn;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * A splittable DoFn, run by runners-core's {@link ProcessFn}: each (element,
 * restriction) is keyed by a unique key, processed for a bounded time or output count, and resumed
 * from its residual by a processing-time timer; its watermark estimator holds the watermark.
 */
public final class SplittableProcessPlan extends OperatorPlan {
  private static final long serialVersionUID = 1L;

  private final ProcessFn<?, ?, ?, ?, ?> processFn;
  private final TupleTag<?> mainOutputTag;
  private final List<TupleTag<?>> additionalOutputTags;
  private final Map<TupleTag<?>, Coder<?>> outputCoders;
  private final WindowingStrategy<?, ?> windowingStrategy;
  private final Coder<? extends BoundedWindow> elementWindowCoder;
  private final Coder<?> keyedElementCoder;
  private final Map<String, PCollectionView<?>> sideInputMapping;

  SplittableProcessPlan(
      String name,
      String input,
      Map<String, String> outputs,
      ProcessFn<?, ?, ?, ?, ?> processFn,
      TupleTag<?> mainOutputTag,
      List<TupleTag<?>> additionalOutputTags,
      Map<TupleTag<?>, Coder<?>> outputCoders,
      WindowingStrategy<?, ?> windowingStrategy,
      Coder<? extends BoundedWindow> elementWindowCoder,
      Coder<?> keyedElementCoder,
      Map<String, PCollectionView<?>> sideInputMapping) {
    super(name, PTransformTranslation.SPLITTABLE_PROCESS_ELEMENTS_URN, List.of(input), outputs);
    this.processFn = processFn;
    this.mainOutputTag = mainOutputTag;
    this.additionalOutputTags = new ArrayList<>(additionalOutputTags);
    this.outputCoders = outputCoders;
    this.windowingStrategy = windowingStrategy;
    this.elementWindowCoder = elementWindowCoder;
    this.keyedElementCoder = keyedElementCoder;
    this.sideInputMapping = sideInputMapping;
  }

  public ProcessFn<?, ?, ?, ?, ?> processFn() {
    return processFn;
  }

  public TupleTag<?> mainOutputTag() {
    return mainOutputTag;
  }

  public List<TupleTag<?>> additionalOutputTags() {
    return additionalOutputTags;
  }

  public Map<TupleTag<?>, Coder<?>> outputCoders() {
    return outputCoders;
  }

  /** Windowing strategy of the keyed work items (the global window). */
  public WindowingStrategy<?, ?> windowingStrategy() {
    return windowingStrategy;
  }

  /** Coder of the windows of the elements, which name the namespaces of the state and timers. */
  public Coder<? extends BoundedWindow> elementWindowCoder() {
    return elementWindowCoder;
  }

  /**
   * Coder of the keyed elements the operator receives, {@code KV<byte[], KV<element,
   * restriction>>} (in the windows of {@link #elementWindowCoder}); elements waiting for side
   * inputs are kept in snapshots with it.
   */
  public Coder<?> keyedElementCoder() {
    return keyedElementCoder;
  }

  public Map<String, PCollectionView<?>> sideInputMapping() {
    return sideInputMapping;
  }

  @Override
  public List<PCollectionView<?>> sideInputs() {
    return new ArrayList<>(sideInputMapping.values());
  }

  @Override
  public boolean isKeyed() {
    return true;
  }
}
