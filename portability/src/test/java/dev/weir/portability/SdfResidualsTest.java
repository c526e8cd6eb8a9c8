package dev.weir.portability;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedTimer;
import dev.weir.state.memory.InMemoryKeyedStateBackend;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.model.fnexecution.v1.BeamFnApi;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.ByteString;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Timestamp;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

public class SdfResidualsTest {
  private static final int MAX_PARALLELISM = 128;

  // A splittable DoFn's input: KV<KV<element, KV<restriction, watermark state>>, size>.
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static final Coder<WindowedValue<?>> INPUT =
      (Coder)
          WindowedValues.getFullCoder(
              KvCoder.of(
                  KvCoder.of(
                      StringUtf8Coder.of(), KvCoder.of(VarLongCoder.of(), VarLongCoder.of())),
                  DoubleCoder.of()),
              GlobalWindow.Coder.INSTANCE);

  private static WindowedValue<?> residual(String element, long from) {
    return WindowedValues.timestampedValueInGlobalWindow(
        KV.of(KV.of(element, KV.of(from, 0L)), 1.0), new Instant(7));
  }

  private static BeamFnApi.DelayedBundleApplication delayed(
      WindowedValue<?> residual, long delayMillis, long watermarkMillis) throws Exception {
    return BeamFnApi.DelayedBundleApplication.newBuilder()
        .setApplication(
            BeamFnApi.BundleApplication.newBuilder()
                .setTransformId("process")
                .setInputId("in")
                .setElement(ByteString.copyFrom(CoderUtils.encodeToByteArray(INPUT, residual)))
                .putOutputWatermarks(
                    "out",
                    Timestamp.newBuilder()
                        .setSeconds(Math.floorDiv(watermarkMillis, 1000))
                        .setNanos((int) Math.floorMod(watermarkMillis, 1000) * 1_000_000)
                        .build()))
        .setRequestedTimeDelay(
            org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Duration.newBuilder()
                .setSeconds(delayMillis / 1000)
                .setNanos((int) (delayMillis % 1000) * 1_000_000))
        .build();
  }

  @Test
  public void aResidualWaitsForItsDelayHoldingTheWatermarkAtItsEstimateThenResumesOnce()
      throws Exception {
    UserStateBags state =
        new UserStateBags(
            new InMemoryKeyedStateBackend(KeyGroupRange.of(0, MAX_PARALLELISM - 1)),
            MAX_PARALLELISM,
            Duration.ZERO);
    AtomicReference<Instant> clock = new AtomicReference<>(new Instant(1_000));
    SdfResiduals residuals = new SdfResiduals(state, INPUT, MAX_PARALLELISM, clock::get);
    WindowedValue<?> rest = residual("a", 3);

    residuals.onCheckpoint(
        BeamFnApi.ProcessBundleResponse.newBuilder()
            .addResidualRoots(delayed(rest, 1_500, 2_250))
            .build());

    // Resumes at now plus the requested delay; until then the output watermark is held at the
    // residual's estimate.
    assertEquals(new Instant(2_500), state.next(TimeDomain.PROCESSING_TIME));
    assertEquals(new Instant(2_250), state.hold());
    assertEquals(List.of(), state.takeDue(TimeDomain.PROCESSING_TIME, new Instant(2_500)));
    List<KeyedTimer> due = state.takeDue(TimeDomain.PROCESSING_TIME, new Instant(2_501));
    assertEquals(1, due.size());
    assertEquals(true, SdfResiduals.isResidual(due.get(0)));

    assertEquals(rest, residuals.take(due.get(0)));
    // Taken: nothing holds the watermark any more, nothing is left to resume.
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, state.hold());
    assertNull(state.next(TimeDomain.PROCESSING_TIME));
  }

  @Test
  public void residualsAreKeptUnderTheKeyTheExchangeRoutesTheirElementBy() throws Exception {
    // The keyed exchange encodes KV<element, restriction> with SplittableElementKeyCoder; the
    // residual's state key is the element's bytes, so both fall in the same key group.
    UserStateBags state =
        new UserStateBags(
            new InMemoryKeyedStateBackend(KeyGroupRange.of(0, MAX_PARALLELISM - 1)),
            MAX_PARALLELISM,
            Duration.ZERO);
    SdfResiduals residuals =
        new SdfResiduals(state, INPUT, MAX_PARALLELISM, () -> new Instant(0));
    residuals.onCheckpoint(
        BeamFnApi.ProcessBundleResponse.newBuilder()
            .addResidualRoots(delayed(residual("b", 9), 0, 0))
            .build());
    KeyedTimer timer = state.takeDue(TimeDomain.PROCESSING_TIME, new Instant(1)).get(0);

    byte[] routed =
        CoderUtils.encodeToByteArray(
            new SplittableElementKeyCoder(StringUtf8Coder.of()), KV.of("b", KV.of(0L, 0L)));
    assertEquals(ByteString.copyFrom(routed), ByteString.copyFrom(timer.keyBytes()));
  }
}
