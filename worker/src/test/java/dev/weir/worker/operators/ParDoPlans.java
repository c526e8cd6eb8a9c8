package dev.weir.worker.operators;

import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.ParDoPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.StagePlan;
import dev.weir.translation.TransformOverrides;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CrashingRunner;

/** ParDo plans as translation makes them, for operator tests. */
final class ParDoPlans {
  static final int MAX_PARALLELISM = 128;

  private ParDoPlans() {}

  /** A pipeline that is only built and translated, never run. */
  static Pipeline pipeline() {
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(CrashingRunner.class);
    return Pipeline.create(options);
  }

  /** The plan of the ParDo whose transform name starts with {@code name}. */
  static ParDoPlan named(Pipeline p, String name) {
    TransformOverrides.apply(p);
    ExecutionPlan plan = PipelineTranslator.translate(p, "test", 1, MAX_PARALLELISM);
    for (StagePlan stage : plan.stages()) {
      for (OperatorPlan operator : stage.operators()) {
        if (operator instanceof ParDoPlan && operator.name().startsWith(name)) {
          return (ParDoPlan) operator;
        }
      }
    }
    throw new AssertionError("No ParDo named " + name + " in " + plan);
  }
}
