package dev.weir.portability;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.pipeline.v1.MetricsApi;
import org.apache.beam.runners.core.metrics.DistributionData;
import org.apache.beam.runners.core.metrics.GaugeData;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.runners.core.metrics.SimpleMonitoringInfoBuilder;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * A job's metrics as the Job API's {@code GetJobMetrics} reports them, attempted and committed
 * apart: user counters, distributions and gauges as monitoring infos labelled with step, namespace
 * and name ({@code beam:metric:user:sum_int64:v1}, ...), and Weir's element count of each
 * PCollection as {@code beam:metric:element_count:v1} labelled with the PCollection (SDKs' parsers,
 * e.g. Java's {@code PortableMetrics}, leave those out of the user metrics, as they should).
 *
 * <p>They come from the job's {@code PipelineResult.metrics()}, which for a Weir job decodes the
 * coordinator's attempted and committed {@code MetricsContainerStepMap}s: the store the web's
 * {@code jobs/{id}/metrics} and Prometheus {@code /metrics} decode too ({@code CoordinatorView}),
 * so the three show the same values.
 */
final class JobMetrics {
  private JobMetrics() {}

  static JobApi.MetricResults of(MetricResults results) {
    MetricQueryResults all = results.queryMetrics(MetricsFilter.builder().build());
    boolean iterableLayout = false;
    for (MetricResult<Long> counter : all.getCounters()) {
      iterableLayout |= counter.getKey().metricName().equals(SdkDistributionLayout.MARK);
    }
    JobApi.MetricResults.Builder out = JobApi.MetricResults.newBuilder();
    out.addAllAttempted(infos(all, true, iterableLayout));
    out.addAllCommitted(infos(all, false, iterableLayout));
    return out.build();
  }

  /**
   * {@code iterableLayout}: distributions in the layout of the SDK whose harness sent them so
   * ({@link SdkDistributionLayout}).
   */
  private static List<MetricsApi.MonitoringInfo> infos(
      MetricQueryResults all, boolean attempted, boolean iterableLayout) {
    List<MetricsApi.MonitoringInfo> infos = new ArrayList<>();
    for (MetricResult<Long> counter : all.getCounters()) {
      if (counter.getKey().metricName().equals(SdkDistributionLayout.MARK)) {
        continue;
      }
      Long value = value(counter, attempted);
      if (value != null && isElementCount(counter)) {
        // Weir keeps a PCollection's count as a counter named for it (see ElementCountMetric).
        infos.add(
            new SimpleMonitoringInfoBuilder()
                .setUrn(MonitoringInfoConstants.Urns.ELEMENT_COUNT)
                .setLabel(
                    MonitoringInfoConstants.Labels.PCOLLECTION,
                    counter.getKey().metricName().getNamespace())
                .setInt64SumValue(value)
                .build());
      } else if (value != null) {
        infos.add(
            labelled(counter, MonitoringInfoConstants.Urns.USER_SUM_INT64)
                .setInt64SumValue(value)
                .build());
      }
    }
    for (MetricResult<DistributionResult> distribution : all.getDistributions()) {
      DistributionResult value = value(distribution, attempted);
      if (value != null) {
        DistributionData data =
            DistributionData.create(
                value.getSum(), value.getCount(), value.getMin(), value.getMax());
        MetricsApi.MonitoringInfo info =
            labelled(distribution, MonitoringInfoConstants.Urns.USER_DISTRIBUTION_INT64)
                .setInt64DistributionValue(data)
                .build();
        infos.add(
            iterableLayout
                ? info.toBuilder().setPayload(SdkDistributionLayout.iterableLayout(data)).build()
                : info);
      }
    }
    for (MetricResult<GaugeResult> gauge : all.getGauges()) {
      GaugeResult value = value(gauge, attempted);
      if (value != null) {
        infos.add(
            labelled(gauge, MonitoringInfoConstants.Urns.USER_LATEST_INT64)
                .setInt64LatestValue(GaugeData.create(value.getValue(), value.getTimestamp()))
                .build());
      }
    }
    return infos;
  }

  private static boolean isElementCount(MetricResult<Long> counter) {
    return counter.getKey().metricName().getName().equals(MonitoringInfoConstants.Urns.ELEMENT_COUNT);
  }

  private static SimpleMonitoringInfoBuilder labelled(MetricResult<?> result, String urn) {
    return new SimpleMonitoringInfoBuilder()
        .setUrn(urn)
        .setLabel(MonitoringInfoConstants.Labels.PTRANSFORM, result.getKey().stepName())
        .setLabel(
            MonitoringInfoConstants.Labels.NAMESPACE, result.getKey().metricName().getNamespace())
        .setLabel(MonitoringInfoConstants.Labels.NAME, result.getKey().metricName().getName());
  }

  // A runner without committed metrics throws on getCommitted: report none then.
  private static <T> T value(MetricResult<T> result, boolean attempted) {
    if (attempted) {
      return result.getAttempted();
    }
    try {
      return result.getCommitted();
    } catch (UnsupportedOperationException e) {
      return null;
    }
  }
}
