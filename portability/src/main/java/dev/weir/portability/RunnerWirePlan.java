package dev.weir.portability;

import dev.weir.translation.OperatorPlan;
import dev.weir.worker.operators.ElementReceiver;
import dev.weir.worker.operators.OperatorContext;
import dev.weir.worker.operators.OperatorProvider;
import dev.weir.worker.operators.StageOperator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Turns the values a Java source emits into the values of its PCollection's runner wire coder.
 * The runner side of a portable pipeline sees a coder it does not know (a user's Java coder) as
 * length-prefixed bytes, and the harness decodes them with the SDK's coder, so a natively read
 * element whose coder is not a standard one must be those bytes: encoded with the SDK wire coder
 * (the pipeline's coder, unknown parts length-prefixed) and read back with the runner's.
 */
final class RunnerWirePlan extends OperatorPlan implements OperatorProvider {
  private static final long serialVersionUID = 1L;

  static final String URN = "weir:portable:runner-wire:v1";

  private final Coder<Object> sdkWireValue;
  private final Coder<Object> runnerWireValue;

  RunnerWirePlan(
      String name,
      String input,
      String output,
      Coder<Object> sdkWireValue,
      Coder<Object> runnerWireValue) {
    super(name, URN, List.of(input), Map.of(output, output));
    this.sdkWireValue = sdkWireValue;
    this.runnerWireValue = runnerWireValue;
  }

  @Override
  public StageOperator createOperator() {
    return new StageOperator() {
      private ElementReceiver output;

      @Override
      public void open(OperatorContext context) {
        output = context.outputs().values().iterator().next();
      }

      @Override
      public void processElement(WindowedValue<?> element) {
        try {
          Object wire =
              CoderUtils.decodeFromByteArray(
                  runnerWireValue, CoderUtils.encodeToByteArray(sdkWireValue, element.getValue()));
          output.accept(element.withValue(wire));
        } catch (CoderException e) {
          throw new IllegalStateException(
              "Cannot put " + element + " into the runner wire coder " + runnerWireValue, e);
        }
      }
    };
  }
}
