package dev.weir.worker.operators;

import org.apache.beam.sdk.values.WindowedValues;

/** Emits the one impulse element, from subtask 0 only. */
public final class ImpulseOperator implements StageOperator {
  private ElementReceiver output;
  private boolean first;

  @Override
  public void open(OperatorContext context) {
    output = context.outputs().values().iterator().next();
    first = context.subtaskIndex() == 0;
  }

  @Override
  public void start(SourceControl control) {
    if (first) {
      output.accept(WindowedValues.valueInGlobalWindow(new byte[0]));
    }
  }

  @Override
  public void processElement(org.apache.beam.sdk.values.WindowedValue<?> element) {
    throw new IllegalStateException("Impulse has no input");
  }
}
