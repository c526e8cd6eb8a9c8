package dev.weir.benchmarks.latency;

import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/** Counts each user's events in keyed state and emits the running count with the event. */
final class CountPerUserFn extends DoFn<KV<Long, Long>, KV<Long, Long>> {
  @StateId("count")
  private final StateSpec<ValueState<Long>> countSpec = StateSpecs.value(VarLongCoder.of());

  @ProcessElement
  public void process(
      @Element KV<Long, Long> event,
      @StateId("count") ValueState<Long> count,
      OutputReceiver<KV<Long, Long>> out) {
    Long current = count.read();
    long next = current == null ? 1 : current + 1;
    count.write(next);
    out.output(KV.of(event.getKey(), next));
  }
}
