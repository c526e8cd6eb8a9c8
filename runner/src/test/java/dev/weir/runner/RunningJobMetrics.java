package dev.weir.runner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** Reads a counter of a running job through {@code PipelineResult.metrics()}, for tests. */
public final class RunningJobMetrics {
  /** Generous: the machine may be loaded; this bounds a wait, it is not what the test measures. */
  private static final long WAIT_SECONDS = 120;

  private RunningJobMetrics() {}

  /** The attempted value of counter {@code namespace:name}, summed over steps; 0 if absent. */
  public static long attempted(PipelineResult result, String namespace, String name) {
    long sum = 0;
    for (MetricResult<Long> counter :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(namespace, name))
                    .build())
            .getCounters()) {
      sum += counter.getAttempted();
    }
    return sum;
  }

  /**
   * Waits until the counter's attempted value is at least {@code atLeast} while the job is still
   * running, and returns it; fails if the job ends first or the bound passes.
   */
  public static long awaitWhileRunning(
      PipelineResult result, String namespace, String name, long atLeast)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    long value = 0;
    while (System.nanoTime() < deadline) {
      value = attempted(result, namespace, name);
      // The state after the value: a value read while running is a running job's value.
      PipelineResult.State state = result.getState();
      if (state.isTerminal()) {
        fail("job ended (" + state + ") before " + name + " reached " + atLeast + ": " + value);
      }
      if (value >= atLeast) {
        assertEquals(PipelineResult.State.RUNNING, state);
        return value;
      }
      Thread.sleep(50);
    }
    fail(name + " of the running job stayed at " + value + ", below " + atLeast);
    return value;
  }

  /**
   * Waits until the job's sources have read at least {@code atLeast} elements in all, as {@link
   * WeirPipelineResult#progress()} shows, while the job is still running; returns that count.
   */
  public static long awaitReadWhileRunning(WeirPipelineResult result, long atLeast)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    long read = 0;
    while (System.nanoTime() < deadline) {
      read = result.progress().elementsRead();
      PipelineResult.State state = result.getState();
      if (state.isTerminal()) {
        fail("job ended (" + state + ") with " + read + " elements read, before " + atLeast);
      }
      if (read >= atLeast) {
        return read;
      }
      Thread.sleep(50);
    }
    fail("the running job's sources stayed at " + read + " elements read, below " + atLeast);
    return read;
  }
}
