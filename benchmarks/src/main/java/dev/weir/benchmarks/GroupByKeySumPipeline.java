package dev.weir.benchmarks;

import java.util.function.Function;
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
import org.checkerframework.checker.nullness.qual.Nullable;

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
    verify(counter -> attempted(result, counter));
  }

  /**
   * The same check over counters read some other way (a portable job's metrics come through the Job
   * API): {@code counters} gives a counter of {@link #NAMESPACE} by name, summed over steps, or
   * null if the job reported none.
   */
  void verify(Function<String, Long> counters) {
    long expectedSum = elements * (elements - 1) / 2; // 0 + 1 + ... + (elements - 1)
    check(counters, "values", elements);
    check(counters, "keys", Math.min(elements, keys));
    check(counters, "sum", expectedSum);
  }

  private static @Nullable Long attempted(PipelineResult result, String counter) {
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(NAMESPACE, counter))
                    .build());
    Long actual = null;
    for (MetricResult<Long> c : metrics.getCounters()) {
      actual = (actual == null ? 0 : actual) + c.getAttempted();
    }
    return actual;
  }

  private static void check(Function<String, Long> counters, String counter, long expected) {
    Long actual = counters.apply(counter);
    if (actual == null || actual != expected) {
      throw new IllegalStateException(
          String.format(
              "WRONG RESULT: counter %s is %s, expected %d",
              counter, actual == null ? "missing" : Long.toString(actual), expected));
    }
  }
}
