package dev.weir.worker.task;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.model.pipeline.v1.MetricsApi.MonitoringInfo;
import org.apache.beam.runners.core.metrics.DistributionData;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.runners.core.metrics.MonitoringInfoEncodings;
import org.apache.beam.runners.core.metrics.MonitoringInfoMetricName;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.InvalidProtocolBufferException;

/**
 * Metrics of a {@link MetricsContainerStepMap} as Beam {@code MonitoringInfo} messages, each in its
 * protobuf bytes: the form they take in checkpoint acknowledgements and checkpoint metadata (no
 * Java serialization in anything stored, ARCHITECTURE.md invariant 10), and back.
 *
 * <p>Decoding files a user metric under the plain {@link MetricName} (namespace, name) it was
 * recorded under, so it merges with the same metric of a live container; runners-core's {@code
 * MetricsContainerImpl.update(Iterable<MonitoringInfo>)} would key it by a {@code
 * MonitoringInfoMetricName}, which {@code asMetricResults} reports as a second metric of the same
 * name. A gauge comes back with its value and the time of decoding (runners-core keeps the cell
 * that would take its time package-private). Histograms are not carried: Beam's {@code
 * MetricResults} do not report them.
 */
public final class MonitoringInfoBytes {
  private MonitoringInfoBytes() {}

  /** Every metric of {@code metrics}, cumulative, one message each. */
  public static List<ByteString> encode(MetricsContainerStepMap metrics) {
    List<ByteString> encoded = new ArrayList<>();
    for (MonitoringInfo info : metrics.getMonitoringInfos()) {
      if (!info.getType().equals(MonitoringInfoConstants.TypeUrns.HISTOGRAM_TYPE)) {
        encoded.add(ByteString.copyFrom(info.toByteArray()));
      }
    }
    return encoded;
  }

  /** The metrics {@code encoded} holds. */
  public static MetricsContainerStepMap decode(List<ByteString> encoded) {
    MetricsContainerStepMap metrics = new MetricsContainerStepMap();
    addTo(metrics, encoded);
    return metrics;
  }

  /** Adds the metrics {@code encoded} holds to {@code target}, as a merge of containers would. */
  public static void addTo(MetricsContainerStepMap target, List<ByteString> encoded) {
    for (ByteString bytes : encoded) {
      MonitoringInfo info;
      try {
        info = MonitoringInfo.parseFrom(bytes.toByteArray());
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException("Metrics bytes that are no MonitoringInfo", e);
      }
      if (info.getPayload().isEmpty()) {
        continue;
      }
      MetricsContainerImpl container =
          target.getContainer(info.getLabelsMap().get(MonitoringInfoConstants.Labels.PTRANSFORM));
      MetricName name = nameOf(info);
      switch (info.getType()) {
        case MonitoringInfoConstants.TypeUrns.SUM_INT64_TYPE:
          container
              .getCounter(name)
              .inc(MonitoringInfoEncodings.decodeInt64Counter(info.getPayload()));
          break;
        case MonitoringInfoConstants.TypeUrns.DISTRIBUTION_INT64_TYPE:
          DistributionData d = MonitoringInfoEncodings.decodeInt64Distribution(info.getPayload());
          container.getDistribution(name).update(d.sum(), d.count(), d.min(), d.max());
          break;
        case MonitoringInfoConstants.TypeUrns.LATEST_INT64_TYPE:
          container
              .getGauge(name)
              .set(MonitoringInfoEncodings.decodeInt64Gauge(info.getPayload()).value());
          break;
        case MonitoringInfoConstants.TypeUrns.SET_STRING_TYPE:
          for (String s : MonitoringInfoEncodings.decodeStringSet(info.getPayload()).stringSet()) {
            container.getStringSet(name).add(s);
          }
          break;
        case MonitoringInfoConstants.TypeUrns.BOUNDED_TRIE_TYPE:
          container
              .getBoundedTrie(name)
              .update(MonitoringInfoEncodings.decodeBoundedTrie(info.getPayload()));
          break;
        default:
          throw new IllegalArgumentException(
              "Metric " + name + " has a type Weir does not carry: " + info.getType());
      }
    }
  }

  /** The name the metric had in its container: plain for a user metric, by URN otherwise. */
  private static MetricName nameOf(MonitoringInfo info) {
    Map<String, String> labels = info.getLabelsMap();
    String namespace = labels.get(MonitoringInfoConstants.Labels.NAMESPACE);
    String name = labels.get(MonitoringInfoConstants.Labels.NAME);
    if (!info.getUrn().startsWith("beam:metric:user:") || namespace == null || name == null) {
      return MonitoringInfoMetricName.of(info);
    }
    Map<String, String> own = new HashMap<>(labels);
    own.remove(MonitoringInfoConstants.Labels.NAMESPACE);
    own.remove(MonitoringInfoConstants.Labels.NAME);
    own.remove(MonitoringInfoConstants.Labels.PTRANSFORM);
    return own.isEmpty()
        ? MetricName.named(namespace, name)
        : MetricName.named(namespace, name, own);
  }
}
