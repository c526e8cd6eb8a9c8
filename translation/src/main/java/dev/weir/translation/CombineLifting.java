package dev.weir.translation;

import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.CombineFnBase.GlobalCombineFn;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * When a {@code Combine.perKey} may be split into a precombine before the shuffle and a merge of
 * accumulators after it: a plain {@code CombineFn} (no context, no side inputs) with an
 * accumulator coder, over windows that never merge, with the default trigger. Other triggers could
 * fire on counts that precombining would hide, so they keep the unlifted expansion.
 */
final class CombineLifting {
  private CombineLifting() {}

  static boolean canLift(TransformHierarchy.Node node) {
    if (!(node.getTransform() instanceof Combine.PerKey)) {
      return false;
    }
    Combine.PerKey<?, ?, ?> combine = (Combine.PerKey<?, ?, ?>) node.getTransform();
    if (!(combine.getFn() instanceof Combine.CombineFn)
        || !combine.getSideInputs().isEmpty()
        || node.getInputs().size() != 1) {
      return false;
    }
    PCollection<?> input = node.getInputs().values().iterator().next();
    if (!(input.getCoder() instanceof KvCoder)
        || input.getWindowingStrategy().needsMerge()
        || !DefaultTrigger.of().equals(input.getWindowingStrategy().getTrigger())) {
      return false;
    }
    return accumulatorCoderOrNull(node) != null;
  }

  static Coder<?> accumulatorCoder(TransformHierarchy.Node node) {
    Coder<?> coder = accumulatorCoderOrNull(node);
    if (coder == null) {
      throw new IllegalStateException("No accumulator coder for " + node.getFullName());
    }
    return coder;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static @Nullable Coder<?> accumulatorCoderOrNull(TransformHierarchy.Node node) {
    PCollection<?> input = node.getInputs().values().iterator().next();
    GlobalCombineFn fn = ((Combine.PerKey<?, ?, ?>) node.getTransform()).getFn();
    try {
      return fn.getAccumulatorCoder(
          input.getPipeline().getCoderRegistry(), ((KvCoder) input.getCoder()).getValueCoder());
    } catch (CannotProvideCoderException | RuntimeException e) {
      return null;
    }
  }
}
