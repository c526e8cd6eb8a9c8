package dev.weir.worker.task;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.junit.Test;

public class MonitoringInfoBytesTest {
  private static final MetricName COUNTER = MetricName.named("ns", "counter");
  private static final MetricName DISTRIBUTION = MetricName.named("ns", "distribution");
  private static final MetricName GAUGE = MetricName.named("ns", "gauge");
  private static final MetricName STRINGS = MetricName.named("ns", "strings");

  private static MetricsContainerStepMap someMetrics(long n) {
    MetricsContainerStepMap metrics = new MetricsContainerStepMap();
    metrics.getContainer("Step").getCounter(COUNTER).inc(n);
    metrics.getContainer("Step").getDistribution(DISTRIBUTION).update(n);
    metrics.getContainer("Step").getGauge(GAUGE).set(n);
    metrics.getContainer("Other").getStringSet(STRINGS).add("s" + n);
    metrics.getContainer("Other").getCounter(ElementCountMetric.nameFor("Other.out")).inc(2 * n);
    return metrics;
  }

  private static MetricQueryResults query(MetricsContainerStepMap metrics) {
    return MetricsContainerStepMap.asAttemptedOnlyMetricResults(metrics)
        .queryMetrics(MetricsFilter.builder().build());
  }

  @Test
  public void decodedMetricsReportWhatTheEncodedOnesDid() {
    MetricsContainerStepMap original = someMetrics(5);
    MetricsContainerStepMap decoded =
        MonitoringInfoBytes.decode(MonitoringInfoBytes.encode(original));
    MetricQueryResults expected = query(original);
    MetricQueryResults actual = query(decoded);
    assertEquals(expected.getCounters().toString(), actual.getCounters().toString());
    assertEquals(expected.getDistributions().toString(), actual.getDistributions().toString());
    assertEquals(expected.getStringSets().toString(), actual.getStringSets().toString());
    // A gauge keeps its value; its time is that of decoding.
    assertEquals(
        expected.getGauges().iterator().next().getAttempted().getValue(),
        actual.getGauges().iterator().next().getAttempted().getValue());
  }

  @Test
  public void decodedMetricsMergeWithTheSameMetricsOfALiveContainer() {
    MetricsContainerStepMap merged = someMetrics(5);
    MonitoringInfoBytes.addTo(merged, MonitoringInfoBytes.encode(someMetrics(7)));
    MetricQueryResults results = query(merged);

    List<MetricResult<Long>> counters = new ArrayList<>();
    results.getCounters().forEach(counters::add);
    assertEquals(2, counters.size());
    for (MetricResult<Long> counter : counters) {
      long expected = counter.getName().equals(COUNTER) ? 12 : 24;
      assertEquals(counter.getName().toString(), expected, (long) counter.getAttempted());
    }
    MetricResult<DistributionResult> distribution = results.getDistributions().iterator().next();
    assertEquals(DistributionResult.create(12, 2, 5, 7), distribution.getAttempted());
    assertEquals(
        Set.of("s5", "s7"),
        results.getStringSets().iterator().next().getAttempted().getStringSet());
    List<Object> gauges = new ArrayList<>();
    results.getGauges().forEach(gauges::add);
    assertEquals(1, gauges.size());
  }
}
