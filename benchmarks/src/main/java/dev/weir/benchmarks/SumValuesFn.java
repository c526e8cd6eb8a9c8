package dev.weir.benchmarks;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/** Sums the grouped values of each key, and counts them in the {@code values} metric. */
final class SumValuesFn extends DoFn<KV<Long, Iterable<Long>>, KV<Long, Long>> {
  private final Counter values = Metrics.counter(GroupByKeySumPipeline.NAMESPACE, "values");

  @ProcessElement
  public void processElement(
      @Element KV<Long, Iterable<Long>> group, OutputReceiver<KV<Long, Long>> out) {
    long sum = 0;
    long count = 0;
    for (long value : group.getValue()) {
      sum += value;
      count++;
    }
    values.inc(count);
    out.output(KV.of(group.getKey(), sum));
  }
}
