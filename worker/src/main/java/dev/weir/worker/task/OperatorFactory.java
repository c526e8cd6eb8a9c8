package dev.weir.worker.task;

import dev.weir.translation.CombinePrecombinePlan;
import dev.weir.translation.FlattenPlan;
import dev.weir.translation.GroupByKeyPlan;
import dev.weir.translation.ImpulsePlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.ParDoPlan;
import dev.weir.translation.SplittableProcessPlan;
import dev.weir.translation.TestStreamPlan;
import dev.weir.translation.UnboundedReadPlan;
import dev.weir.translation.WindowIntoPlan;
import dev.weir.worker.operators.CombinePrecombineOperator;
import dev.weir.worker.operators.FlattenOperator;
import dev.weir.worker.operators.GroupByKeyOperator;
import dev.weir.worker.operators.ImpulseOperator;
import dev.weir.worker.operators.OperatorProvider;
import dev.weir.worker.operators.ParDoOperator;
import dev.weir.worker.operators.SplittableProcessOperator;
import dev.weir.worker.operators.StageOperator;
import dev.weir.worker.operators.TestStreamOperator;
import dev.weir.worker.operators.UnboundedReadOperator;
import dev.weir.worker.operators.WindowIntoOperator;

/** The runtime operator for each kind of operator plan. */
final class OperatorFactory {
  private OperatorFactory() {}

  static StageOperator create(OperatorPlan plan) {
    if (plan instanceof ParDoPlan) {
      return new ParDoOperator((ParDoPlan) plan);
    } else if (plan instanceof GroupByKeyPlan) {
      return new GroupByKeyOperator((GroupByKeyPlan) plan);
    } else if (plan instanceof FlattenPlan) {
      return new FlattenOperator();
    } else if (plan instanceof WindowIntoPlan) {
      return new WindowIntoOperator(((WindowIntoPlan) plan).windowFn());
    } else if (plan instanceof CombinePrecombinePlan) {
      return new CombinePrecombineOperator((CombinePrecombinePlan) plan);
    } else if (plan instanceof SplittableProcessPlan) {
      return new SplittableProcessOperator((SplittableProcessPlan) plan);
    } else if (plan instanceof UnboundedReadPlan) {
      return new UnboundedReadOperator((UnboundedReadPlan) plan);
    } else if (plan instanceof TestStreamPlan) {
      return new TestStreamOperator((TestStreamPlan) plan);
    } else if (plan instanceof ImpulsePlan) {
      return new ImpulseOperator();
    } else if (plan instanceof OperatorProvider) {
      return ((OperatorProvider) plan).createOperator();
    }
    throw new IllegalArgumentException(
        "No operator for " + plan.getClass().getSimpleName() + " (" + plan.urn() + ")");
  }
}
