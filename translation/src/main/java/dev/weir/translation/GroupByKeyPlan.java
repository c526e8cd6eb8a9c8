package dev.weir.translation;

import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Groups by key and window under the input's windowing strategy (triggers, allowed lateness,
 * merging windows), after a keyed exchange.
 */
public final class GroupByKeyPlan extends OperatorPlan {
  private static final long serialVersionUID = 1L;

  private final KvCoder<?, ?> inputCoder;
  private final WindowingStrategy<?, ?> windowingStrategy;

  GroupByKeyPlan(
      String name,
      String input,
      Map<String, String> outputs,
      KvCoder<?, ?> inputCoder,
      WindowingStrategy<?, ?> windowingStrategy) {
    super(name, PTransformTranslation.GROUP_BY_KEY_TRANSFORM_URN, List.of(input), outputs);
    this.inputCoder = inputCoder;
    this.windowingStrategy = windowingStrategy;
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
