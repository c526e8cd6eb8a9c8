package dev.weir.translation;

import org.apache.beam.sdk.transforms.DoFn;

/**
 * Outputs each element as it came (value, timestamp, windows, pane). Its {@code
 * RequiresStableInput} makes the engine's ParDo hold the element until the checkpoint covering it
 * completes, so what follows sees only input a restore will not change.
 */
final class StableInputPassThrough extends DoFn<Object, Object> {
  private static final long serialVersionUID = 1L;

  @ProcessElement
  @RequiresStableInput
  public void process(@Element Object element, OutputReceiver<Object> out) {
    out.output(element);
  }
}
