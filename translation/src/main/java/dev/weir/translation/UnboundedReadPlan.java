package dev.weir.translation;

import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.util.construction.PTransformTranslation;

/**
 * Reads an {@link UnboundedSource} directly: each subtask of the stage reads its share of the
 * source's splits in a loop and emits the readers' watermark, without the per-step bookkeeping of
 * a splittable DoFn. Each reader's checkpoint mark is its position.
 */
public final class UnboundedReadPlan extends OperatorPlan {
  private static final long serialVersionUID = 1L;

  private final UnboundedSource<?, ?> source;

  UnboundedReadPlan(String name, Map<String, String> outputs, UnboundedSource<?, ?> source) {
    super(name, PTransformTranslation.READ_TRANSFORM_URN, List.of(), outputs);
    this.source = source;
  }

  public UnboundedSource<?, ?> source() {
    return source;
  }
}
