package dev.weir.portability;

import dev.weir.worker.operators.OperatorContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.model.pipeline.v1.MetricsApi;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;

/**
 * The monitoring infos of a bundle, each into the metrics container of the transform the harness
 * labelled it with ({@code PTRANSFORM}, the transform's id), named by the transform's unique name
 * as a classic job's steps are, so a fused stage's transforms keep their own step names. A
 * container keys what it is given by metric name only, whatever the label says: hence the split.
 * Infos without the label go to the stage's own container.
 */
final class TransformMetrics {
  private TransformMetrics() {}

  static void update(
      OperatorContext context,
      MetricsContainerImpl stage,
      RunnerApi.Components components,
      List<MetricsApi.MonitoringInfo> infos) {
    Map<String, List<MetricsApi.MonitoringInfo>> perTransform = new LinkedHashMap<>();
    for (MetricsApi.MonitoringInfo info : infos) {
      String transform = info.getLabelsMap().get(MonitoringInfoConstants.Labels.PTRANSFORM);
      perTransform.computeIfAbsent(transform, t -> new ArrayList<>()).add(info);
    }
    for (Map.Entry<String, List<MetricsApi.MonitoringInfo>> e : perTransform.entrySet()) {
      String id = e.getKey();
      MetricsContainerImpl container =
          id == null || id.isEmpty() ? stage : context.metricsContainer(stepName(components, id));
      container.update(e.getValue());
    }
  }

  private static String stepName(RunnerApi.Components components, String id) {
    RunnerApi.PTransform transform = components.getTransformsMap().get(id);
    return transform == null || transform.getUniqueName().isEmpty()
        ? id
        : transform.getUniqueName();
  }
}
