package dev.weir.benchmarks;

import dev.weir.runner.WeirPipelineOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of {@link BoundedGroupByKeyBenchmark}. Weir's own options ({@code --parallelism}, {@code
 * --embeddedWorkers}, {@code --stateBackend}, ...) and the DirectRunner's ({@code --targetParallelism},
 * {@code --enforceImmutability}, ...) pass through to the runs on those runners.
 */
public interface BenchmarkOptions extends WeirPipelineOptions {

  /** Number of generated key/value pairs that go through the GroupByKey. */
  @Description("Number of generated key/value pairs that go through the GroupByKey.")
  @Default.Long(10_000_000L)
  long getElements();

  void setElements(long elements);

  /** Number of distinct keys; element {@code i} has key {@code i % keys}. */
  @Description("Number of distinct keys; element i has key i % keys.")
  @Default.Long(100_000L)
  long getKeys();

  void setKeys(long keys);

  /** Timed runs per runner; the table shows the best and the median. */
  @Description("Timed runs of the GroupByKey pipeline per runner; reports best and median.")
  @Default.Integer(3)
  int getRuns();

  void setRuns(int runs);

  /** Untimed runs per runner before the timed ones, each over {@code warmupElements}. */
  @Description("Untimed warm-up runs of the GroupByKey pipeline per runner.")
  @Default.Integer(1)
  int getWarmupRuns();

  void setWarmupRuns(int warmupRuns);

  /** Elements of each warm-up run. */
  @Description("Elements of each warm-up run.")
  @Default.Long(200_000L)
  long getWarmupElements();

  void setWarmupElements(long warmupElements);

  /** Timed runs of an empty pipeline on each runner; 0 skips that measurement. */
  @Description("Timed runs of an empty pipeline (Impulse only) per runner; 0 skips them.")
  @Default.Integer(20)
  int getEmptyRuns();

  void setEmptyRuns(int emptyRuns);

  /** Runners to compare, by the names {@code --runner} accepts. */
  @Description("Runners to compare, comma separated, as --runner names them.")
  @Default.String("WeirRunner,DirectRunner")
  String getRunners();

  void setRunners(String runners);
}
