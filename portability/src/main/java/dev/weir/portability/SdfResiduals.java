package dev.weir.portability;

import dev.weir.state.KeyGroups;
import dev.weir.state.KeyedTimer;
import dev.weir.state.StateKey;
import java.io.IOException;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.beam.model.fnexecution.v1.BeamFnApi;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.runners.fnexecution.control.BundleCheckpointHandler;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Timestamp;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The residuals a splittable DoFn's stage hands back when it checkpoints itself (a {@code
 * ProcessContinuation.resume()}, or a bundle the harness cut short): each is the rest of an
 * element's work, its element and restriction and watermark-estimator state, encoded like the
 * stage's input ({@code KV<KV<element, KV<restriction, watermark state>>, size>}).
 *
 * <p>A residual waits in the subtask's keyed state backend (RocksDB or memory, so checkpoints take
 * it along) under its element's key, in a map of residuals, with a processing-time timer of the
 * same id at the time the harness asked to resume (now plus its requested delay). The timer's
 * output timestamp is the residual's output watermark estimate, so a stage with residuals holds
 * its output watermark there; without an estimate, at the earliest time. When the timer fires
 * the residual goes back to the harness as an input element ({@link #take}).
 *
 * <p>The stage's input is keyed by the element alone ({@link SplittableElementKeyCoder}), so a
 * residual, whose restriction differs from its element's, stays in a key group of this subtask.
 */
final class SdfResiduals implements BundleCheckpointHandler {
  /** The timer family of residuals; no DoFn's timer family has this name. */
  static final String TIMER_FAMILY = "weir:sdf-residual";

  private final UserStateBags state;
  private final Coder<WindowedValue<?>> inputCoder;
  private final Coder<Object> elementCoder;
  private final int maxParallelism;
  private final Supplier<Instant> clock;
  private final StateTag<MapState<String, WindowedValue<?>>> tag;

  /**
   * {@code inputCoder}: the stage input's runner wire coder, the bytes the harness encodes its
   * residuals in (Beam length-prefixes the coder of a stage's input for the harness).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  SdfResiduals(
      UserStateBags state,
      Coder<WindowedValue<?>> inputCoder,
      int maxParallelism,
      Supplier<Instant> clock) {
    this.state = state;
    this.inputCoder = inputCoder;
    this.elementCoder = (Coder<Object>) elementCoder(inputCoder);
    this.maxParallelism = maxParallelism;
    this.clock = clock;
    this.tag = StateTags.map("weir:sdf-residuals", StringUtf8Coder.of(), (Coder) inputCoder);
  }

  /** The coder of the element in a splittable stage's input {@code KV<KV<element, ..>, size>}. */
  static Coder<?> elementCoder(Coder<WindowedValue<?>> inputCoder) {
    Coder<?> value =
        inputCoder instanceof WindowedValues.WindowedValueCoder
            ? ((WindowedValues.WindowedValueCoder<?>) (Coder<?>) inputCoder).getValueCoder()
            : null;
    if (value instanceof KvCoder
        && ((KvCoder<?, ?>) value).getKeyCoder() instanceof KvCoder) {
      return ((KvCoder<?, ?>) ((KvCoder<?, ?>) value).getKeyCoder()).getKeyCoder();
    }
    throw new IllegalArgumentException(
        "A splittable DoFn's input is KV<KV<element, restriction>, size>, not " + inputCoder);
  }

  /** Called when a bundle closes whose response has residual roots. */
  @Override
  public void onCheckpoint(BeamFnApi.ProcessBundleResponse response) {
    for (BeamFnApi.DelayedBundleApplication residual : response.getResidualRootsList()) {
      if (!residual.hasApplication()) {
        continue;
      }
      BeamFnApi.BundleApplication application = residual.getApplication();
      WindowedValue<?> element;
      try {
        element = CoderUtils.decodeFromByteArray(inputCoder, application.getElement().toByteArray());
      } catch (IOException e) {
        throw new IllegalStateException("Cannot decode a residual of " + application, e);
      }
      Instant resumeAt = clock.get();
      if (residual.hasRequestedTimeDelay()) {
        resumeAt =
            resumeAt.plus(
                Duration.millis(
                    residual.getRequestedTimeDelay().getSeconds() * 1000
                        + residual.getRequestedTimeDelay().getNanos() / 1_000_000));
      }
      put(element, resumeAt, hold(application));
    }
  }

  /**
   * The earliest output watermark the harness estimated for the residual's outputs; without one,
   * nothing is known of what it will output, so the earliest time.
   */
  private static Instant hold(BeamFnApi.BundleApplication application) {
    if (application.getOutputWatermarksMap().isEmpty()) {
      return BoundedWindow.TIMESTAMP_MIN_VALUE;
    }
    long hold = BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis();
    for (Timestamp watermark : application.getOutputWatermarksMap().values()) {
      // Rounded down: a hold may only be earlier.
      long millis =
          Math.floorDiv(watermark.getSeconds() * 1_000_000_000L + watermark.getNanos(), 1_000_000L);
      hold = Math.min(hold, millis);
    }
    return new Instant(Math.max(hold, BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis()));
  }

  /**
   * The key group of an input element of the stage (or a residual): the one its element alone
   * falls in, as the keyed exchange routed it.
   */
  int keyGroupOf(WindowedValue<?> input) {
    synchronized (state) {
      return state.stateKey(elementOf(input), elementCoder).keyGroup();
    }
  }

  private static Object elementOf(WindowedValue<?> input) {
    // KV<KV<element, restriction>, size>: the harness's input to its sized-restriction step.
    return ((KV<?, ?>) ((KV<?, ?>) input.getValue()).getKey()).getKey();
  }

  private void put(WindowedValue<?> residual, Instant resumeAt, Instant hold) {
    String id = UUID.randomUUID().toString();
    Object element = elementOf(residual);
    synchronized (state) {
      StateKey key = state.stateKey(element, elementCoder);
      state.backend().stateInternals(key).state(StateNamespaces.global(), tag).put(id, residual);
      state
          .backend()
          .timerInternals(key)
          .setTimer(
              TimerData.of(
                  id,
                  TIMER_FAMILY,
                  StateNamespaces.global(),
                  resumeAt,
                  hold,
                  TimeDomain.PROCESSING_TIME));
    }
  }

  static boolean isResidual(KeyedTimer timer) {
    return timer.timer().getTimerFamilyId().equals(TIMER_FAMILY);
  }

  /** Removes and returns the residual of {@code timer}, which fired. */
  WindowedValue<?> take(KeyedTimer timer) {
    byte[] bytes = timer.keyBytes();
    StateKey key = new StateKey(bytes, bytes, KeyGroups.keyGroupFor(bytes, maxParallelism));
    String id = timer.timer().getTimerId();
    synchronized (state) {
      MapState<String, WindowedValue<?>> residuals =
          state.backend().stateInternals(key).state(StateNamespaces.global(), tag);
      WindowedValue<?> residual = residuals.get(id).read();
      if (residual == null) {
        throw new IllegalStateException("No residual " + id + " for its timer " + timer.timer());
      }
      residuals.remove(id);
      return residual;
    }
  }
}
