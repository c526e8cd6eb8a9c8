package dev.weir.runner;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.runners.core.metrics.MetricsPusher;
import org.apache.beam.runners.core.metrics.NoOpMetricsSink;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricsOptions;
import org.apache.beam.sdk.metrics.MetricsSink;
import org.apache.beam.sdk.util.InstanceBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes a {@code --weirMaster} job's attempted metrics to {@code --metricsSink} every {@code
 * --metricsPushPeriod} seconds from the client, as runners-core's {@link MetricsPusher} does for a
 * job in this JVM: it reads a live local map, which a remote job has not, so this one asks the
 * coordinator (the job's status, which carries its attempted metrics as the workers report them)
 * each period, and pushes once more when the job has ended, with its final values.
 */
final class PolledMetricsPusher {
  private static final Logger LOG = LoggerFactory.getLogger(PolledMetricsPusher.class);

  private final JobHandle job;
  private final PipelineResult result;
  private final MetricsSink sink;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "weir-metrics-push");
            t.setDaemon(true);
            return t;
          });

  private PolledMetricsPusher(JobHandle job, PipelineResult result, MetricsSink sink) {
    this.job = job;
    this.result = result;
    this.sink = sink;
  }

  /** Starts pushing {@code job}'s metrics if {@code options} name a sink; Beam's sink creation. */
  static void startIfConfigured(JobHandle job, PipelineResult result, MetricsOptions options) {
    MetricsSink sink =
        InstanceBuilder.ofType(MetricsSink.class)
            .fromClass(options.getMetricsSink())
            .withArg(MetricsOptions.class, options)
            .build();
    if (sink instanceof NoOpMetricsSink) {
      return;
    }
    PolledMetricsPusher pusher = new PolledMetricsPusher(job, result, sink);
    long period = Math.max(1, options.getMetricsPushPeriod());
    pusher.executor.scheduleAtFixedRate(pusher::run, 0, period, TimeUnit.SECONDS);
  }

  private void run() {
    // The state first: a job ended then has its final metrics now.
    boolean ended = result.getState().isTerminal();
    try {
      MetricQueryResults metrics =
          MetricsContainerStepMap.asAttemptedOnlyMetricResults(job.attemptedMetrics())
              .allMetrics();
      if (metrics.getCounters().iterator().hasNext()
          || metrics.getDistributions().iterator().hasNext()
          || metrics.getGauges().iterator().hasNext()
          || metrics.getStringSets().iterator().hasNext()
          || metrics.getBoundedTries().iterator().hasNext()) {
        sink.writeMetrics(metrics);
      }
    } catch (Exception e) {
      // A sink's failure must not end the schedule; the next period tries again.
      LOG.warn("Cannot push the metrics of the job to --metricsSink", e);
    }
    if (ended) {
      executor.shutdown();
    }
  }
}
