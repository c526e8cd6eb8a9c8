package dev.weir.translation;

import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Groups by key and window under the input's windowing strategy (triggers, allowed lateness,
 * merging windows), after a keyed exchange; or, for a lifted combine, merges accumulators.
 */
public final class GroupByKeyPlan extends OperatorPlan {
  private static final long serialVersionUID = 1L;

  private final KvCoder<?, ?> inputCoder;
  private final WindowingStrategy<?, ?> windowingStrategy;
  private final @Nullable AccumulatorMergingFn<?, ?> accumulatorMergingFn;
  private final boolean boundedInput;

  GroupByKeyPlan(
      String name,
      String input,
      Map<String, String> outputs,
      KvCoder<?, ?> inputCoder,
      WindowingStrategy<?, ?> windowingStrategy,
      boolean boundedInput) {
    this(name, input, outputs, inputCoder, windowingStrategy, null, boundedInput);
  }

  GroupByKeyPlan(
      String name,
      String input,
      Map<String, String> outputs,
      KvCoder<?, ?> inputCoder,
      WindowingStrategy<?, ?> windowingStrategy,
      @Nullable AccumulatorMergingFn<?, ?> accumulatorMergingFn,
      boolean boundedInput) {
    super(
        name,
        accumulatorMergingFn == null
            ? PTransformTranslation.GROUP_BY_KEY_TRANSFORM_URN
            : PTransformTranslation.COMBINE_PER_KEY_MERGE_ACCUMULATORS_TRANSFORM_URN,
        List.of(input),
        outputs);
    this.inputCoder = inputCoder;
    this.windowingStrategy = windowingStrategy;
    this.accumulatorMergingFn = accumulatorMergingFn;
    this.boundedInput = boundedInput;
  }

  /**
   * True when the grouped PCollection is bounded: its input ends, so the operator may hold the
   * values and group them all at once when the input watermark reaches the end.
   */
  public boolean boundedInput() {
    return boundedInput;
  }

  /**
   * For the second half of a lifted combine: merges the accumulators per key and window and
   * extracts the output, instead of grouping values into an iterable. Null for a GroupByKey.
   */
  public @Nullable AccumulatorMergingFn<?, ?> accumulatorMergingFn() {
    return accumulatorMergingFn;
  }

  public KvCoder<?, ?> inputCoder() {
    return inputCoder;
  }

  public WindowingStrategy<?, ?> windowingStrategy() {
    return windowingStrategy;
  }

  @Override
  public boolean isKeyed() {
    return true;
  }
}
