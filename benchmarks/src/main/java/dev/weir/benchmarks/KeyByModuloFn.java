package dev.weir.benchmarks;

import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/** Turns {@code i} into {@code KV(i % keys, i)}. */
final class KeyByModuloFn extends DoFn<Long, KV<Long, Long>> {
  private final long keys;

  KeyByModuloFn(long keys) {
    this.keys = keys;
  }

  @ProcessElement
  public void processElement(@Element Long i, OutputReceiver<KV<Long, Long>> out) {
    out.output(KV.of(i % keys, i));
  }
}
