package dev.weir.worker.task;

import dev.weir.translation.OperatorPlan;
import dev.weir.translation.SplittableProcessPlan;
import dev.weir.translation.UnboundedReadPlan;
import org.apache.beam.sdk.metrics.MetricName;

/**
 * The counter of what each source of a job has read: namespace {@value #NAMESPACE}, name {@value
 * #ELEMENTS_READ}, in the metrics of the source's step. A source is a read of an unbounded source
 * (Weir's source loop) or a splittable DoFn, which is how Beam runs every bounded source ({@code
 * Read.from(boundedSource)} expands to one) and how newer IOs read; its elements read are the
 * elements it output. Counted with the element counts, so it is attempted and committed like any
 * counter and visible while the job runs.
 */
public final class SourceMetrics {
  public static final String NAMESPACE = "weir.source";
  public static final String ELEMENTS_READ = "elements_read";

  private SourceMetrics() {}

  static MetricName elementsRead() {
    return MetricName.named(NAMESPACE, ELEMENTS_READ);
  }

  /** Whether {@code operator} reads a source, so its output counts as elements read. */
  static boolean isSource(OperatorPlan operator) {
    return operator instanceof UnboundedReadPlan || operator instanceof SplittableProcessPlan;
  }
}
