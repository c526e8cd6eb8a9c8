package dev.weir.worker.task;

import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.sdk.metrics.MetricName;

/**
 * How Weir names the system counter of a PCollection's element count: namespace the PCollection's
 * name, name Beam's element-count URN ({@code beam:metric:element_count:v1}), in the metrics of the
 * step that produces the PCollection. A plain {@link MetricName} rather than Beam's {@code
 * MonitoringInfoMetricName}, so that a {@code MetricNameFilter} with the full URN finds it.
 */
final class ElementCountMetric {
  private ElementCountMetric() {}

  static MetricName nameFor(String pcollectionName) {
    return MetricName.named(pcollectionName, MonitoringInfoConstants.Urns.ELEMENT_COUNT);
  }
}
