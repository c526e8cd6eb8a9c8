package dev.weir.web.view;

import java.util.List;

/**
 * A job's metrics per step, decoded: counters (user counters and Weir's element count per
 * PCollection, namespace the PCollection's name, name {@code beam:metric:element_count:v1}),
 * distributions and gauges. A committed value is null where no completed checkpoint or finished
 * subtask covers the metric yet.
 */
public record JobMetrics(
    List<Counter> counters, List<Distribution> distributions, List<Gauge> gauges) {
  public JobMetrics {
    counters = List.copyOf(counters);
    distributions = List.copyOf(distributions);
    gauges = List.copyOf(gauges);
  }

  /** A counter of step {@code step}; {@code committed} may be null. */
  public record Counter(
      String step, String namespace, String name, long attempted, Long committed) {}

  /** A distribution; {@code committed} may be null. */
  public record Distribution(
      String step,
      String namespace,
      String name,
      DistributionValue attempted,
      DistributionValue committed) {}

  /** Count, sum, min and max of a distribution. */
  public record DistributionValue(long count, long sum, long min, long max) {}

  /** A gauge's latest value; {@code committed} may be null. */
  public record Gauge(
      String step, String namespace, String name, long attempted, Long committed) {}
}
