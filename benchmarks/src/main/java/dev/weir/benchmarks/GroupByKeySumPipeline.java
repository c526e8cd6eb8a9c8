package dev.weir.benchmarks;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;

/**
 * The benchmarked pipeline: {@code GenerateSequence [0, elements)} → {@code KV(i % keys, i)} →
 * {@code GroupByKey} → sum per key → a sink that tallies keys and sums into metrics. {@link
 * #verify} checks those metrics against the closed-form totals.
 */
final class GroupByKeySumPipeline {
  static final String NAMESPACE = "weir-benchmark";

  private final long elements;
  private final long keys;

  GroupByKeySumPipeline(long elements, long keys) {
    if (elements < 1 || keys < 1) {
      throw new IllegalArgumentException(
          "--elements and --keys must be positive, got " + elements + " and " + keys);
    }
    this.elements = elements;
    this.keys = keys;
  }

  long elements() {
    return elements;
  }

  Pipeline create(PipelineOptions options) {
    Pipeline p = Pipeline.create(options);
    p.apply("Generate", GenerateSequence.from(0).to(elements))
        .apply("KeyByModulo", ParDo.of(new KeyByModuloFn(keys)))
        .apply("GroupByKey", GroupByKey.create())
        .apply("SumPerKey", ParDo.of(new SumValuesFn()))
        .apply("Tally", ParDo.of(new TallySumsFn()));
    return p;
  }

  /** Throws {@link IllegalStateException} unless the run saw every key, value and the full sum. */
  void verify(PipelineResult result) {
    long expectedSum = elements * (elements - 1) / 2; // 0 + 1 + ... + (elements - 1)
    check(result, "values", elements);
    check(result, "keys", Math.min(elements, keys));
    check(result, "sum", expectedSum);
  }

  private static void check(PipelineResult result, String counter, long expected) {
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(NAMESPACE, counter))
                    .build());
    long actual = 0;
    boolean found = false;
    for (MetricResult<Long> c : metrics.getCounters()) {
      actual += c.getAttempted();
      found = true;
    }
    if (!found || actual != expected) {
      throw new IllegalStateException(
          String.format(
              "WRONG RESULT: counter %s is %s, expected %d",
              counter, found ? Long.toString(actual) : "missing", expected));
    }
  }
}
