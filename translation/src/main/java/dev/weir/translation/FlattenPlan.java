package dev.weir.translation;

import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.util.construction.PTransformTranslation;

/** Passes the elements of all its inputs to its one output, unchanged and uncopied. */
public final class FlattenPlan extends OperatorPlan {
  private static final long serialVersionUID = 1L;

  FlattenPlan(String name, List<String> inputs, Map<String, String> outputs) {
    super(name, PTransformTranslation.FLATTEN_TRANSFORM_URN, inputs, outputs);
  }
}
