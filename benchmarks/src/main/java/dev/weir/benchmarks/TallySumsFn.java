package dev.weir.benchmarks;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/** The sink: adds every per-key sum to the {@code sum} metric and counts keys in {@code keys}. */
final class TallySumsFn extends DoFn<KV<Long, Long>, Void> {
  private final Counter keys = Metrics.counter(GroupByKeySumPipeline.NAMESPACE, "keys");
  private final Counter sum = Metrics.counter(GroupByKeySumPipeline.NAMESPACE, "sum");

  @ProcessElement
  public void processElement(@Element KV<Long, Long> keySum) {
    keys.inc();
    sum.inc(keySum.getValue());
  }
}
