package dev.weir.runner.recovery;

import java.util.UUID;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;

/**
 * Keyed stateful counting with timers: each element {@code (key, seq)} raises the key's count and
 * waits in a bag until an event-time timer at its timestamp fires; then it is emitted as {@code
 * (key, "seq,count,emission")}. The emission id is random, so an element processed twice (state
 * rolled back, output not) shows up as two different records for one {@code (key, seq)}.
 */
final class CountPerKeyFn extends DoFn<KV<String, Long>, KV<String, String>> {

  @StateId("count")
  private final StateSpec<ValueState<Integer>> countSpec = StateSpecs.value(VarIntCoder.of());

  // "seq,count" of each element not emitted yet.
  @StateId("pending")
  private final StateSpec<BagState<String>> pendingSpec = StateSpecs.bag(StringUtf8Coder.of());

  @TimerId("emit")
  private final TimerSpec emitSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  @ProcessElement
  public void process(
      @Element KV<String, Long> element,
      @Timestamp Instant timestamp,
      @StateId("count") ValueState<Integer> count,
      @StateId("pending") BagState<String> pending,
      @TimerId("emit") Timer emit) {
    Integer before = count.read();
    int now = before == null ? 1 : before + 1;
    count.write(now);
    pending.add(element.getValue() + "," + now);
    emit.set(timestamp);
  }

  @OnTimer("emit")
  public void onEmit(
      @Key String key,
      @StateId("pending") BagState<String> pending,
      OutputReceiver<KV<String, String>> out) {
    for (String seqAndCount : pending.read()) {
      out.output(KV.of(key, seqAndCount + "," + UUID.randomUUID()));
    }
    pending.clear();
  }
}
