package dev.weir.portability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.model.pipeline.v1.MetricsApi;
import org.apache.beam.runners.core.metrics.DistributionData;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.runners.core.metrics.MonitoringInfoEncodings;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.ByteString;

/**
 * The two layouts of an int64 distribution's payload that SDK harnesses send. The model's is four
 * varints (count, sum, min, max), which Beam's Java and Python SDKs write and read. The TypeScript
 * SDK (2.49.0) writes and reads the same four numbers as an iterable: a 4-byte big-endian element
 * count (always 4) before the varints. A runner that decodes the values (Weir sums them over
 * bundles and subtasks) must read both, and must answer GetJobMetrics in the layout the job's SDK
 * reads, else the TypeScript SDK fails decoding its own distributions.
 *
 * <p>The layouts cannot be confused: a model payload that starts with the bytes 0 0 0 4 is four
 * varints (0, 0, 0, 4) and ends there, while the iterable layout has four more varints after them.
 * A job whose harness sent the iterable layout is marked by a counter in a namespace of Weir's
 * own ({@link #MARK}), which the job server reads back and leaves out of the job's metrics.
 */
final class SdkDistributionLayout {
  /** Counts the bundles whose harness reported distributions in the iterable layout. */
  static final MetricName MARK = MetricName.named("dev.weir.portability", "iterableDistributionLayout");

  private static final byte[] ITERABLE_OF_FOUR = {0, 0, 0, 4};

  private SdkDistributionLayout() {}

  /**
   * {@code infos} with every distribution payload in the model's layout; {@code iterableSeen}
   * runs if any was in the iterable layout.
   */
  static List<MetricsApi.MonitoringInfo> inModelLayout(
      List<MetricsApi.MonitoringInfo> infos, Runnable iterableSeen) {
    List<MetricsApi.MonitoringInfo> out = new ArrayList<>(infos.size());
    boolean seen = false;
    for (MetricsApi.MonitoringInfo info : infos) {
      long[] values =
          isDistribution(info) ? iterableLayoutValues(info.getPayload()) : null;
      if (values == null) {
        out.add(info);
      } else {
        seen = true;
        out.add(
            info.toBuilder()
                .setPayload(
                    MonitoringInfoEncodings.encodeInt64Distribution(
                        DistributionData.create(values[1], values[0], values[2], values[3])))
                .build());
      }
    }
    if (seen) {
      iterableSeen.run();
    }
    return out;
  }

  /** The iterable layout of a distribution (as the TypeScript SDK reads it). */
  static ByteString iterableLayout(DistributionData data) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      bytes.write(ITERABLE_OF_FOUR);
      VarInt.encode(data.count(), bytes);
      VarInt.encode(data.sum(), bytes);
      VarInt.encode(data.min(), bytes);
      VarInt.encode(data.max(), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ByteString.copyFrom(bytes.toByteArray());
  }

  private static boolean isDistribution(MetricsApi.MonitoringInfo info) {
    return info.getType().equals(MonitoringInfoConstants.TypeUrns.DISTRIBUTION_INT64_TYPE)
        || info.getUrn().equals(MonitoringInfoConstants.Urns.USER_DISTRIBUTION_INT64);
  }

  /** Count, sum, min and max if {@code payload} is in the iterable layout, else null. */
  static long[] iterableLayoutValues(ByteString payload) {
    if (payload.size() < ITERABLE_OF_FOUR.length + 4) {
      return null;
    }
    for (int i = 0; i < ITERABLE_OF_FOUR.length; i++) {
      if (payload.byteAt(i) != ITERABLE_OF_FOUR[i]) {
        return null;
      }
    }
    InputStream in = payload.substring(ITERABLE_OF_FOUR.length).newInput();
    long[] values = new long[4];
    try {
      for (int i = 0; i < 4; i++) {
        values[i] = VarInt.decodeLong(in);
      }
      return in.read() == -1 ? values : null;
    } catch (IOException e) {
      // Not four whole varints: not this layout.
      return null;
    }
  }
}
