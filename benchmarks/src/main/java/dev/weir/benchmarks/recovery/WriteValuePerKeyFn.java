package dev.weir.benchmarks.recovery;

import java.util.SplittableRandom;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Writes a value of {@code valueBytes} random (incompressible) bytes to the key's {@code
 * ValueState<byte[]>} for each element, and outputs the element's sequence number with, for those
 * past the fill, whether the key had a value before (1) or not (0): after a restore every key
 * written before the checkpoint must have one.
 */
final class WriteValuePerKeyFn extends DoFn<KV<Long, Long>, KV<Long, Long>> {
  @StateId("value")
  private final StateSpec<ValueState<byte[]>> valueSpec = StateSpecs.value(ByteArrayCoder.of());

  private final int valueBytes;
  private final long fill;

  WriteValuePerKeyFn(int valueBytes, long fill) {
    this.valueBytes = valueBytes;
    this.fill = fill;
  }

  @ProcessElement
  public void process(
      @Element KV<Long, Long> keyAndSequence,
      @StateId("value") ValueState<byte[]> value,
      OutputReceiver<KV<Long, Long>> out) {
    long sequence = keyAndSequence.getValue();
    // Only past the fill: every key has a value by then, and the fill should not pay for reads.
    boolean had = sequence >= fill && value.read() != null;
    byte[] bytes = new byte[valueBytes];
    new SplittableRandom(sequence).nextBytes(bytes);
    value.write(bytes);
    out.output(KV.of(sequence, had ? 1L : 0L));
  }
}
