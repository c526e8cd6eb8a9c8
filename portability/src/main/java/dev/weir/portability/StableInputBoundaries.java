package dev.weir.portability;

import java.io.IOException;
import java.util.Map;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.util.construction.NativeTransforms;
import org.apache.beam.sdk.util.construction.PTransformTranslation;

/**
 * Puts a runner transform of Weir's ({@link #URN}, no environment) before every ParDo whose payload
 * has {@code requires_stable_input}, so Beam's fuser, which fuses across such a ParDo, starts a new
 * executable stage there. The engine runs the transform as the classic path's stable-input buffer
 * ({@code ExecutionPlanBuilder#stableInput}): the stage's input reaches the harness only once the
 * checkpoint covering it has completed.
 */
final class StableInputBoundaries {
  static final String URN = "weir:transform:stable_input:v1";
  private static final String SUFFIX = "/WeirStableInput";

  private StableInputBoundaries() {}

  /**
   * Tells Beam's fuser (through {@code NativeTransforms}, a service of this module) that the
   * boundary is a primitive the runner runs: without it, the fuser finds no producer of the
   * boundary's output.
   */
  public static final class IsNative implements NativeTransforms.IsNativeTransform {
    @Override
    public boolean test(RunnerApi.PTransform transform) {
      return URN.equals(transform.getSpec().getUrn());
    }
  }

  /** {@code pipeline} (not fused yet) with the boundaries put in. */
  static RunnerApi.Pipeline insert(RunnerApi.Pipeline pipeline) {
    RunnerApi.Components original = pipeline.getComponents();
    RunnerApi.Components.Builder components = original.toBuilder();
    RunnerApi.Pipeline.Builder result = pipeline.toBuilder();
    for (Map.Entry<String, RunnerApi.PTransform> entry : original.getTransformsMap().entrySet()) {
      RunnerApi.PTransform parDo = entry.getValue();
      if (!parDo.getSubtransformsList().isEmpty() || !requiresStableInput(parDo)) {
        continue;
      }
      String mainInput = mainInputName(parDo);
      String input = parDo.getInputsOrThrow(mainInput);
      String buffered = unusedId(components.getPcollectionsMap(), input + SUFFIX);
      RunnerApi.PCollection inputPc = original.getPcollectionsOrThrow(input);
      components.putPcollections(
          buffered, inputPc.toBuilder().setUniqueName(inputPc.getUniqueName() + SUFFIX).build());
      String boundary = unusedId(components.getTransformsMap(), entry.getKey() + SUFFIX);
      components.putTransforms(
          boundary,
          RunnerApi.PTransform.newBuilder()
              .setUniqueName(parDo.getUniqueName() + SUFFIX)
              .setSpec(RunnerApi.FunctionSpec.newBuilder().setUrn(URN))
              .putInputs("input", input)
              .putOutputs("output", buffered)
              .build());
      components.putTransforms(entry.getKey(), parDo.toBuilder().putInputs(mainInput, buffered).build());
      // A root: the fuser reaches primitives from the roots through composites' subtransforms.
      result.addRootTransformIds(boundary);
    }
    return result.setComponents(components).build();
  }

  static boolean requiresStableInput(RunnerApi.PTransform transform) {
    if (!PTransformTranslation.PAR_DO_TRANSFORM_URN.equals(transform.getSpec().getUrn())) {
      return false;
    }
    try {
      return RunnerApi.ParDoPayload.parseFrom(transform.getSpec().getPayload())
          .getRequiresStableInput();
    } catch (IOException e) {
      throw new IllegalArgumentException(transform.getUniqueName() + " has a bad ParDo payload", e);
    }
  }

  /** The local name of the ParDo's main input: the input that is not a side input. */
  private static String mainInputName(RunnerApi.PTransform parDo) {
    RunnerApi.ParDoPayload payload;
    try {
      payload = RunnerApi.ParDoPayload.parseFrom(parDo.getSpec().getPayload());
    } catch (IOException e) {
      throw new IllegalArgumentException(parDo.getUniqueName() + " has a bad ParDo payload", e);
    }
    String main = null;
    for (String local : parDo.getInputsMap().keySet()) {
      if (!payload.getSideInputsMap().containsKey(local)) {
        if (main != null) {
          throw new IllegalArgumentException(parDo.getUniqueName() + " has two main inputs");
        }
        main = local;
      }
    }
    if (main == null) {
      throw new IllegalArgumentException(parDo.getUniqueName() + " has no main input");
    }
    return main;
  }

  private static String unusedId(Map<String, ?> used, String wanted) {
    String id = wanted;
    for (int i = 1; used.containsKey(id); i++) {
      id = wanted + i;
    }
    return id;
  }
}
