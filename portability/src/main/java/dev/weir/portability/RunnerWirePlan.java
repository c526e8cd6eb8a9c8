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
 *
 * <p>A Flatten whose output coder differs from an input's ({@link #transcoding}) needs the same
 * turn after first reading the input's runner value back into the SDK's value.
 */
final class RunnerWirePlan extends OperatorPlan implements OperatorProvider {
  private static final long serialVersionUID = 1L;

  static final String URN = "weir:portable:runner-wire:v1";

  private final Coder<Object> sdkWireValue;
  private final Coder<Object> runnerWireValue;
  // Null for a source's values, which are the SDK's values already.
  private final Coder<Object> runnerWireInput;
  private final Coder<Object> sdkWireInput;

  RunnerWirePlan(
      String name,
      String input,
      String output,
      Coder<Object> sdkWireValue,
      Coder<Object> runnerWireValue) {
    this(name, input, output, null, null, sdkWireValue, runnerWireValue);
  }

  private RunnerWirePlan(
      String name,
      String input,
      String output,
      Coder<Object> runnerWireInput,
      Coder<Object> sdkWireInput,
      Coder<Object> sdkWireValue,
      Coder<Object> runnerWireValue) {
    super(name, URN, List.of(input), Map.of(output, output));
    this.runnerWireInput = runnerWireInput;
    this.sdkWireInput = sdkWireInput;
    this.sdkWireValue = sdkWireValue;
    this.runnerWireValue = runnerWireValue;
  }

  /**
   * Runner values of {@code input} (runner wire coder {@code runnerWireInput}) as runner values of
   * {@code output}: through the SDK's value, which both SDK wire coders encode.
   */
  static RunnerWirePlan transcoding(
      String name,
      String input,
      String output,
      Coder<Object> runnerWireInput,
      Coder<Object> sdkWireInput,
      Coder<Object> sdkWireOutput,
      Coder<Object> runnerWireOutput) {
    return new RunnerWirePlan(
        name, input, output, runnerWireInput, sdkWireInput, sdkWireOutput, runnerWireOutput);
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
          Object value = element.getValue();
          if (runnerWireInput != null) {
            value =
                CoderUtils.decodeFromByteArray(
                    sdkWireInput, CoderUtils.encodeToByteArray(runnerWireInput, value));
          }
          Object wire =
              CoderUtils.decodeFromByteArray(
                  runnerWireValue, CoderUtils.encodeToByteArray(sdkWireValue, value));
          output.accept(element.withValue(wire));
        } catch (CoderException e) {
          throw new IllegalStateException(
              "Cannot put " + element + " into the runner wire coder " + runnerWireValue, e);
        }
      }
    };
  }
}
