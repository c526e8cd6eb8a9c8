package dev.weir.translation;

import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * The first half of a lifted {@code Combine.perKey}, fused before the shuffle: adds each input to
 * an accumulator per key and window, and emits the accumulators when the bundle ends, so only
 * accumulators cross the network.
 */
public final class CombinePrecombinePlan extends OperatorPlan {
  private static final long serialVersionUID = 1L;

  private final CombineFn<?, ?, ?> combineFn;
  private final KvCoder<?, ?> inputCoder;
  private final WindowingStrategy<?, ?> windowingStrategy;

  CombinePrecombinePlan(
      String name,
      String input,
      Map<String, String> outputs,
      CombineFn<?, ?, ?> combineFn,
      KvCoder<?, ?> inputCoder,
      WindowingStrategy<?, ?> windowingStrategy) {
    super(
        name,
        PTransformTranslation.COMBINE_PER_KEY_PRECOMBINE_TRANSFORM_URN,
        List.of(input),
        outputs);
    this.combineFn = combineFn;
    this.inputCoder = inputCoder;
    this.windowingStrategy = windowingStrategy;
  }

  public CombineFn<?, ?, ?> combineFn() {
    return combineFn;
  }

  /** Coder of the input {@code KV<K, InputT>}. */
  public KvCoder<?, ?> inputCoder() {
    return inputCoder;
  }

  public WindowingStrategy<?, ?> windowingStrategy() {
    return windowingStrategy;
  }
}
