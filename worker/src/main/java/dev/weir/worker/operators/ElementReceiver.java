package dev.weir.worker.operators;

import org.apache.beam.sdk.values.WindowedValue;

/** Where an operator's output goes: the next fused operator, or an output edge. */
@FunctionalInterface
public interface ElementReceiver {
  void accept(WindowedValue<?> element);
}
