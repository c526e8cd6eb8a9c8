package dev.weir.worker.operators;

import org.apache.beam.sdk.values.WindowedValue;

/** Passes every element of every input on, without copying. */
public final class FlattenOperator implements StageOperator {
  private ElementReceiver output;

  @Override
  public void open(OperatorContext context) {
    output = context.outputs().values().iterator().next();
  }

  @Override
  public void processElement(WindowedValue<?> element) {
    output.accept(element);
  }
}
