package dev.weir.translation;

import java.util.List;
import org.apache.beam.runners.core.SplittableParDoViaKeyedWorkItems;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.PTransformOverride;
import org.apache.beam.sdk.util.construction.PTransformMatchers;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.SplittableParDo;

/**
 * The SDK rewrites Weir applies before translation: a splittable DoFn (which is also how {@code
 * Read} reaches a runner) becomes pair-with-restriction, split, a keyed exchange of the restrictions
 * and runners-core's ProcessFn, which processes each restriction in checkpointed steps with its
 * residual in keyed state, bounded or not, so bundle finalization and side inputs work for both.
 * {@code Read.Unbounded} is the exception: it becomes a primitive read that a source loop runs, as
 * does a bounded read of an unbounded source ({@link BoundedReadOverride}).
 */
public final class TransformOverrides {
  private TransformOverrides() {}

  @SuppressWarnings("rawtypes")
  public static void apply(Pipeline pipeline) {
    List<PTransformOverride> overrides =
        List.of(
            // Bounded reads of unbounded sources too, within their bounds.
            BoundedReadOverride.override(),
            // Unbounded reads run as a source loop over the readers (see UnboundedReadPlan).
            SplittableParDo.PRIMITIVE_UNBOUNDED_READ_OVERRIDE,
            PTransformOverride.of(
                PTransformMatchers.splittableParDo(), new SplittableParDo.OverrideFactory()),
            PTransformOverride.of(
                PTransformMatchers.urnEqualTo(PTransformTranslation.SPLITTABLE_PROCESS_KEYED_URN),
                new SplittableParDoViaKeyedWorkItems.OverrideFactory()));
    pipeline.replaceAll(overrides);
  }
}
