package dev.weir.portability;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.model.pipeline.v1.MetricsApi;
import org.apache.beam.runners.core.metrics.DistributionData;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.runners.core.metrics.MonitoringInfoEncodings;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.ByteString;
import org.junit.Test;

public class SdkDistributionLayoutTest {
  private static MetricsApi.MonitoringInfo distribution(int... values) {
    byte[] payload = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      payload[i] = (byte) values[i];
    }
    return MetricsApi.MonitoringInfo.newBuilder()
        .setUrn(MonitoringInfoConstants.Urns.USER_DISTRIBUTION_INT64)
        .setType(MonitoringInfoConstants.TypeUrns.DISTRIBUTION_INT64_TYPE)
        .putLabels(MonitoringInfoConstants.Labels.NAME, "myDist")
        .setPayload(ByteString.copyFrom(payload))
        .build();
  }

  @Test
  public void theTypeScriptSdksIterableLayoutIsReadAsCountSumMinMax() {
    // As the TypeScript SDK writes count 3, sum 6, min 1, max 3.
    MetricsApi.MonitoringInfo fromTypeScript = distribution(0, 0, 0, 4, 3, 6, 1, 3);
    AtomicInteger marked = new AtomicInteger();

    List<MetricsApi.MonitoringInfo> read =
        SdkDistributionLayout.inModelLayout(List.of(fromTypeScript), marked::incrementAndGet);

    assertEquals(1, marked.get());
    assertEquals(
        DistributionData.create(6, 3, 1, 3),
        MonitoringInfoEncodings.decodeInt64Distribution(read.get(0).getPayload()));
    assertEquals(fromTypeScript.getLabelsMap(), read.get(0).getLabelsMap());
  }

  @Test
  public void theModelLayoutIsLeftAsItIsEvenWhenItStartsLikeTheIterableOne() {
    AtomicInteger marked = new AtomicInteger();
    MetricsApi.MonitoringInfo model = distribution(3, 6, 1, 3);
    // Count 0, sum 0, min 0, max 4: the iterable layout's header, but nothing after it.
    MetricsApi.MonitoringInfo modelLikeHeader = distribution(0, 0, 0, 4);

    List<MetricsApi.MonitoringInfo> read =
        SdkDistributionLayout.inModelLayout(List.of(model, modelLikeHeader), marked::incrementAndGet);

    assertEquals(List.of(model, modelLikeHeader), read);
    assertEquals(0, marked.get());
    assertNull(SdkDistributionLayout.iterableLayoutValues(ByteString.copyFrom(new byte[] {0, 0, 0, 4, 1})));
  }

  @Test
  public void theIterableLayoutIsWrittenAsTheTypeScriptSdkReadsIt() {
    assertArrayEquals(
        new byte[] {0, 0, 0, 4, 3, 6, 1, 3},
        SdkDistributionLayout.iterableLayout(DistributionData.create(6, 3, 1, 3)).toByteArray());
  }
}
