package dev.weir.worker.task;

import dev.weir.worker.operators.ElementReceiver;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Hands each element of one PCollection to all of its consumers in the subtask and counts it. The
 * count is a plain field of the subtask's thread: {@link #publishCount()} adds it to the metrics
 * cell at bundle end, so the per-element cost is one addition, not an atomic update.
 *
 * <p>An element in several windows counts once per window, as Beam's SDK harness counts: in the
 * model it is one element per window, and the count must not depend on whether a runner happened
 * to explode the windows.
 */
final class CountingFanOut implements ElementReceiver {
  private final ElementReceiver[] consumers;
  private final Counter elementCount;
  private long unpublished;

  CountingFanOut(List<ElementReceiver> consumers, Counter elementCount) {
    this.consumers = consumers.toArray(new ElementReceiver[0]);
    this.elementCount = elementCount;
  }

  @Override
  public void accept(WindowedValue<?> element) {
    // Counted before delivery: the element exists even if a consumer fails on it.
    unpublished += element.getWindows().size();
    for (ElementReceiver consumer : consumers) {
      consumer.accept(element);
    }
  }

  /** Adds the elements counted since the last call to the metrics cell. */
  void publishCount() {
    if (unpublished != 0) {
      elementCount.inc(unpublished);
      unpublished = 0;
    }
  }
}
