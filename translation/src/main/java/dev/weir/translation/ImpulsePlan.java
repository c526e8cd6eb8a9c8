package dev.weir.translation;

import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.util.construction.PTransformTranslation;

/** Emits one empty byte array in the global window, from the stage's first subtask only. */
public final class ImpulsePlan extends OperatorPlan {
  private static final long serialVersionUID = 1L;

  ImpulsePlan(String name, Map<String, String> outputs) {
    super(name, PTransformTranslation.IMPULSE_TRANSFORM_URN, List.of(), outputs);
  }
}
