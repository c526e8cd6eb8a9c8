package dev.weir.runner;

import dev.weir.worker.task.SourceMetrics;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * How far a job has come: the elements each of its sources has read so far, from the attempted
 * metrics (counter {@value SourceMetrics#NAMESPACE}:{@value SourceMetrics#ELEMENTS_READ} of each
 * source step, see {@link SourceMetrics}), which running subtasks report every few seconds. A
 * source is named by its step, the transform's full name (for {@code Read.from(boundedSource)},
 * the splittable DoFn Beam expands it to).
 */
public final class JobProgress {
  private final Map<String, Long> elementsRead;

  private JobProgress(Map<String, Long> elementsRead) {
    this.elementsRead = Collections.unmodifiableMap(elementsRead);
  }

  /** The progress that {@code attempted} metrics show. */
  static JobProgress of(MetricsContainerStepMap attempted) {
    Map<String, Long> read = new TreeMap<>();
    for (MetricResult<Long> counter :
        MetricsContainerStepMap.asAttemptedOnlyMetricResults(attempted)
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(
                        MetricNameFilter.named(SourceMetrics.NAMESPACE, SourceMetrics.ELEMENTS_READ))
                    .build())
            .getCounters()) {
      read.merge(counter.getKey().stepName(), counter.getAttempted(), Long::sum);
    }
    return new JobProgress(read);
  }

  /** Elements read so far by each source, by its step name; attempted (a restart reads again). */
  public Map<String, Long> elementsReadBySource() {
    return elementsRead;
  }

  /** Elements read so far by all sources together. */
  public long elementsRead() {
    long sum = 0;
    for (long read : elementsRead.values()) {
      sum += read;
    }
    return sum;
  }

  /** One line: each source and what it has read. */
  @Override
  public String toString() {
    if (elementsRead.isEmpty()) {
      return "no source has read anything yet";
    }
    StringBuilder line = new StringBuilder();
    elementsRead.forEach(
        (step, read) ->
            line.append(line.length() == 0 ? "" : "; ")
                .append("source '")
                .append(step)
                .append("': ")
                .append(read)
                .append(" elements read"));
    return line.toString();
  }
}
