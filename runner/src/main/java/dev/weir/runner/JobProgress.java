package dev.weir.runner;

import dev.weir.worker.operators.SourceWork;
import dev.weir.worker.task.SourceMetrics;
import java.util.Collections;
import java.util.Map;
import java.util.OptionalDouble;
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
 *
 * <p>A bounded source read by a splittable DoFn also has a fraction done, {@link #fractionDone}:
 * of the current attempt, the work its subtasks have completed over the work they were given
 * (completed + remaining), summed over all its restrictions on all subtasks before dividing, in
 * the DoFn's size units ({@code @GetSize}; for {@code Read.from(boundedSource)} estimated bytes),
 * so a large restriction weighs more than a small one. A restriction's own progress comes from its
 * restriction tracker ({@code RestrictionTracker.HasProgress}; for a {@code BoundedSource}, its
 * reader's {@code getFractionConsumed()}), chained over the steps it is processed in. It grows
 * while the set of restrictions does not: a restriction still on its way to a subtask is not in the
 * sum until it arrives, and a restart starts the sum over from what the new attempt was given (the
 * residuals of its checkpoint, or everything). Running subtasks report it with their progress,
 * every {@code --progressReportMillis} on a worker process; a job that is done has every source at
 * 1.0.
 */
public final class JobProgress {
  private final Map<String, Long> elementsRead;
  private final Map<String, Double> fractionDone;

  private JobProgress(Map<String, Long> elementsRead, Map<String, Double> fractionDone) {
    this.elementsRead = Collections.unmodifiableMap(elementsRead);
    this.fractionDone = Collections.unmodifiableMap(fractionDone);
  }

  /**
   * The progress that {@code attempted} metrics and the bounded sources' {@code work} show; {@code
   * done}: the job succeeded, so every source has read all it will.
   */
  static JobProgress of(
      MetricsContainerStepMap attempted, Map<String, SourceWork> work, boolean done) {
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
    Map<String, Double> fractions = new TreeMap<>();
    work.forEach(
        (step, sourceWork) -> sourceWork.fraction().ifPresent(f -> fractions.put(step, f)));
    if (done) {
      for (String step : read.keySet()) {
        fractions.put(step, 1.0);
      }
      for (String step : work.keySet()) {
        fractions.put(step, 1.0);
      }
    }
    return new JobProgress(read, fractions);
  }

  /** Elements read so far by each source, by its step name; attempted (a restart reads again). */
  public Map<String, Long> elementsReadBySource() {
    return elementsRead;
  }

  /**
   * The fraction of {@code source}'s work done (0 to 1, see the class comment), by its step name;
   * empty for a source that is not a bounded splittable DoFn, or that no report has shown yet.
   */
  public OptionalDouble fractionDone(String source) {
    Double fraction = fractionDone.get(source);
    return fraction == null ? OptionalDouble.empty() : OptionalDouble.of(fraction);
  }

  /** Of each source with a fraction done, by step name, that fraction. */
  public Map<String, Double> fractionDoneBySource() {
    return fractionDone;
  }

  /** Elements read so far by all sources together. */
  public long elementsRead() {
    long sum = 0;
    for (long read : elementsRead.values()) {
      sum += read;
    }
    return sum;
  }

  /** One line: each source, what it has read and, for a bounded one, how much of it is done. */
  @Override
  public String toString() {
    if (elementsRead.isEmpty() && fractionDone.isEmpty()) {
      return "no source has read anything yet";
    }
    Map<String, Long> sources = new TreeMap<>(elementsRead);
    fractionDone.keySet().forEach(step -> sources.putIfAbsent(step, 0L));
    StringBuilder line = new StringBuilder();
    sources.forEach(
        (step, read) -> {
          line.append(line.length() == 0 ? "" : "; ")
              .append("source '")
              .append(step)
              .append("': ")
              .append(read)
              .append(" elements read");
          Double fraction = fractionDone.get(step);
          if (fraction != null) {
            line.append(String.format(java.util.Locale.ROOT, ", %.1f%% done", fraction * 100));
          }
        });
    return line.toString();
  }
}
