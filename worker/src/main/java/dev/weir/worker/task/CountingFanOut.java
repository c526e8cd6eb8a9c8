package dev.weir.worker.task;

import dev.weir.worker.operators.ElementReceiver;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Hands each element of one PCollection to all of its consumers in the subtask and counts it. The
 * count is a plain field of the subtask's thread: {@link #publishCount()} adds it to the metrics
 * cell at bundle end and every 1,024 elements, so the per-element cost is one addition and a
 * comparison, not an atomic update, and a running job's counts are never far behind.
 *
 * <p>An element in several windows counts once per window, as Beam's SDK harness counts: in the
 * model it is one element per window, and the count must not depend on whether a runner happened
 * to explode the windows.
 */
final class CountingFanOut implements ElementReceiver {
  /** Counted elements published at the latest after this many, within a bundle too. */
  private static final long PUBLISH_EVERY = 1_024;

  private final ElementReceiver[] consumers;
  private final Counter elementCount;
  /** A source's elements read ({@link SourceMetrics}), counted alike; null for other outputs. */
  private final @Nullable Counter elementsRead;
  private long unpublished;

  CountingFanOut(
      List<ElementReceiver> consumers, Counter elementCount, @Nullable Counter elementsRead) {
    this.consumers = consumers.toArray(new ElementReceiver[0]);
    this.elementCount = elementCount;
    this.elementsRead = elementsRead;
  }

  @Override
  public void accept(WindowedValue<?> element) {
    // Counted before delivery: the element exists even if a consumer fails on it.
    unpublished += element.getWindows().size();
    if (unpublished >= PUBLISH_EVERY) {
      // A bundle can be long (a splittable DoFn's read, timers firing at the end of input): the
      // counts of a running job must not wait for its end.
      publishCount();
    }
    for (ElementReceiver consumer : consumers) {
      consumer.accept(element);
    }
  }

  /** Adds the elements counted since the last call to the metrics cell. */
  void publishCount() {
    if (unpublished != 0) {
      elementCount.inc(unpublished);
      if (elementsRead != null) {
        elementsRead.inc(unpublished);
      }
      unpublished = 0;
    }
  }
}
