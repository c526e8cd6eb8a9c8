package dev.weir.translation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.DoFnSchemaInformation;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A ParDo: its DoFn and everything {@code DoFnRunners} needs to run it. A ParDo with state or
 * timers is keyed ({@link #keyCoder()} set) and follows a keyed exchange.
 */
public final class ParDoPlan extends OperatorPlan {
  private static final long serialVersionUID = 1L;

  private final DoFn<?, ?> doFn;
  private final TupleTag<?> mainOutputTag;
  private final List<TupleTag<?>> additionalOutputTags;
  private final Coder<?> inputCoder;
  private final Map<TupleTag<?>, Coder<?>> outputCoders;
  private final WindowingStrategy<?, ?> windowingStrategy;
  private final List<PCollectionView<?>> sideInputs;
  private final Map<String, PCollectionView<?>> sideInputMapping;
  private final DoFnSchemaInformation schemaInformation;
  private final @Nullable Coder<?> keyCoder;

  ParDoPlan(
      String name,
      String input,
      Map<String, String> outputs,
      DoFn<?, ?> doFn,
      TupleTag<?> mainOutputTag,
      List<TupleTag<?>> additionalOutputTags,
      Coder<?> inputCoder,
      Map<TupleTag<?>, Coder<?>> outputCoders,
      WindowingStrategy<?, ?> windowingStrategy,
      Map<String, PCollectionView<?>> sideInputMapping,
      DoFnSchemaInformation schemaInformation,
      @Nullable Coder<?> keyCoder) {
    super(name, PTransformTranslation.PAR_DO_TRANSFORM_URN, List.of(input), outputs);
    this.doFn = doFn;
    this.mainOutputTag = mainOutputTag;
    this.additionalOutputTags = new ArrayList<>(additionalOutputTags);
    this.inputCoder = inputCoder;
    this.outputCoders = outputCoders;
    this.windowingStrategy = windowingStrategy;
    this.sideInputMapping = sideInputMapping;
    this.sideInputs = new ArrayList<>(sideInputMapping.values());
    this.schemaInformation = schemaInformation;
    this.keyCoder = keyCoder;
  }

  public DoFn<?, ?> doFn() {
    return doFn;
  }

  public TupleTag<?> mainOutputTag() {
    return mainOutputTag;
  }

  public List<TupleTag<?>> additionalOutputTags() {
    return additionalOutputTags;
  }

  /** Coder of the main input's values. */
  public Coder<?> inputCoder() {
    return inputCoder;
  }

  public Map<TupleTag<?>, Coder<?>> outputCoders() {
    return outputCoders;
  }

  /** Windowing strategy of the main input. */
  public WindowingStrategy<?, ?> windowingStrategy() {
    return windowingStrategy;
  }

  @Override
  public List<PCollectionView<?>> sideInputs() {
    return sideInputs;
  }

  public Map<String, PCollectionView<?>> sideInputMapping() {
    return sideInputMapping;
  }

  public DoFnSchemaInformation schemaInformation() {
    return schemaInformation;
  }

  /** Coder of the key for a stateful ParDo, else null. */
  public @Nullable Coder<?> keyCoder() {
    return keyCoder;
  }

  @Override
  public boolean isKeyed() {
    return keyCoder != null;
  }
}
