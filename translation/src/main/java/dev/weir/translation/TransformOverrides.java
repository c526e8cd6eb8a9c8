package dev.weir.translation;

import java.util.List;
import org.apache.beam.runners.core.SplittableParDoViaKeyedWorkItems;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.PTransformOverride;
import org.apache.beam.sdk.runners.PTransformMatcher;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.apache.beam.sdk.util.construction.PTransformMatchers;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.SplittableParDo;
import org.apache.beam.sdk.util.construction.SplittableParDoNaiveBounded;
import org.apache.beam.sdk.values.PCollection;

/**
 * The SDK rewrites Weir applies before translation: a splittable DoFn (which is also how {@code
 * Read} reaches a runner) becomes pair-with-restriction, split and a keyed exchange of the
 * restrictions; on bounded input a plain ParDo then processes each restriction to its end, on
 * unbounded input runners-core's ProcessFn processes it in checkpointed steps.
 */
public final class TransformOverrides {
  private TransformOverrides() {}

  /** A keyed splittable process whose DoFn is bounded (or unbounded) per element. */
  private static PTransformMatcher keyedProcessOf(PCollection.IsBounded boundedness) {
    PTransformMatcher urn =
        PTransformMatchers.urnEqualTo(PTransformTranslation.SPLITTABLE_PROCESS_KEYED_URN);
    return application ->
        urn.matches(application)
            && application.getTransform() instanceof SplittableParDo.ProcessKeyedElements
            && DoFnSignatures.signatureForDoFn(
                        ((SplittableParDo.ProcessKeyedElements<?, ?, ?, ?>)
                                application.getTransform())
                            .getFn())
                    .isBoundedPerElement()
                == boundedness;
  }

  @SuppressWarnings("rawtypes")
  public static void apply(Pipeline pipeline) {
    List<PTransformOverride> overrides =
        List.of(
            PTransformOverride.of(
                PTransformMatchers.splittableParDo(), new SplittableParDo.OverrideFactory()),
            PTransformOverride.of(
                keyedProcessOf(PCollection.IsBounded.BOUNDED),
                new SplittableParDoNaiveBounded.OverrideFactory()),
            PTransformOverride.of(
                keyedProcessOf(PCollection.IsBounded.UNBOUNDED),
                new SplittableParDoViaKeyedWorkItems.OverrideFactory()));
    pipeline.replaceAll(overrides);
  }
}
