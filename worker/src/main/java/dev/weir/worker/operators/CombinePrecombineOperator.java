package dev.weir.worker.operators;

import dev.weir.translation.CombinePrecombinePlan;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;

/**
 * The precombine of a lifted {@code Combine.perKey}: keeps one accumulator per key and window for
 * the current bundle and emits them, with the combined timestamp of their inputs, when the bundle
 * ends or when too many keys are open. The table holds no state across bundles.
 */
public final class CombinePrecombineOperator implements StageOperator {
  /** Emit early beyond this many open accumulators, so memory stays bounded. */
  private static final int MAX_OPEN_ACCUMULATORS = 10_000;

  private final CombinePrecombinePlan plan;
  private final Map<Slot, Partial> open = new HashMap<>();
  private CombineFn<Object, Object, Object> fn;
  private Coder<Object> keyCoder;
  private TimestampCombiner timestampCombiner;
  private OperatorContext context;
  private ElementReceiver output;

  public CombinePrecombineOperator(CombinePrecombinePlan plan) {
    this.plan = plan;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void open(OperatorContext context) {
    this.context = context;
    this.fn = (CombineFn<Object, Object, Object>) plan.combineFn();
    this.keyCoder = (Coder<Object>) plan.inputCoder().getKeyCoder();
    this.timestampCombiner = plan.windowingStrategy().getTimestampCombiner();
    this.output = context.outputs().values().iterator().next();
  }

  @Override
  public void processElement(WindowedValue<?> element) {
    KV<?, ?> kv = (KV<?, ?>) element.getValue();
    Object structuralKey = keyCoder.structuralValue(kv.getKey());
    try (AutoCloseable scope =
        MetricsEnvironment.scopedMetricsContainer(context.metricsContainer())) {
      for (BoundedWindow window : element.getWindows()) {
        Instant timestamp = timestampCombiner.assign(window, element.getTimestamp());
        Slot slot = new Slot(structuralKey, window);
        Partial partial = open.get(slot);
        if (partial == null) {
          partial = new Partial(kv.getKey(), fn.createAccumulator(), timestamp);
          open.put(slot, partial);
        } else {
          partial.timestamp = timestampCombiner.combine(partial.timestamp, timestamp);
        }
        partial.accumulator = fn.addInput(partial.accumulator, kv.getValue());
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
    if (open.size() >= MAX_OPEN_ACCUMULATORS) {
      emitAll();
    }
  }

  @Override
  public void finishBundle() {
    emitAll();
  }

  private void emitAll() {
    for (Map.Entry<Slot, Partial> e : open.entrySet()) {
      Partial p = e.getValue();
      output.accept(
          WindowedValues.of(
              KV.of(p.key, p.accumulator), p.timestamp, e.getKey().window, PaneInfo.NO_FIRING));
    }
    open.clear();
  }

  /** A key (by structural value) in a window. */
  private static final class Slot {
    final Object structuralKey;
    final BoundedWindow window;

    Slot(Object structuralKey, BoundedWindow window) {
      this.structuralKey = structuralKey;
      this.window = window;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Slot
          && Objects.equals(((Slot) o).structuralKey, structuralKey)
          && ((Slot) o).window.equals(window);
    }

    @Override
    public int hashCode() {
      return 31 * Objects.hashCode(structuralKey) + window.hashCode();
    }
  }

  /** The accumulator of one slot and the combined timestamp of its inputs. */
  private static final class Partial {
    final Object key;
    Object accumulator;
    Instant timestamp;

    Partial(Object key, Object accumulator, Instant timestamp) {
      this.key = key;
      this.accumulator = accumulator;
      this.timestamp = timestamp;
    }
  }
}
