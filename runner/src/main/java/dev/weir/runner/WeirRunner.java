package dev.weir.runner;

import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.TransformOverrides;
import dev.weir.web.WebServer;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.runners.core.metrics.MetricsPusher;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.metrics.MetricsOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsValidator;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Beam pipeline on Weir. Select it with {@code --runner=WeirRunner}; see {@link
 * WeirPipelineOptions} for its options.
 *
 * <p>{@link #run} applies Weir's transform overrides, translates the pipeline into stages
 * (failing fast, naming any transform Weir cannot run), starts an embedded cluster of workers for
 * the job and deploys the stages' subtasks to it. With {@code --master=host:port} (or {@code
 * --weirMaster}) it submits the job to that Weir coordinator instead ({@code
 * dev.weir.runner.cluster.WeirClusterCoordinator}), staging the job's jars there first ({@code
 * --filesToStage}, or the jars of the pipeline's own classes); the coordinator and its workers need
 * not have the pipeline's classes. It returns at once; {@link WeirPipelineResult#waitUntilFinish} waits for the job.
 */
public class WeirRunner extends PipelineRunner<WeirPipelineResult> {
  private static final Logger LOG = LoggerFactory.getLogger(WeirRunner.class);

  private final WeirPipelineOptions options;

  protected WeirRunner(WeirPipelineOptions options) {
    this.options = options;
  }

  /** Called by Beam for {@code --runner=WeirRunner}. */
  public static WeirRunner fromOptions(PipelineOptions options) {
    return new WeirRunner(
        PipelineOptionsValidator.validate(WeirPipelineOptions.class, options));
  }

  WeirPipelineOptions options() {
    return options;
  }

  @Override
  public WeirPipelineResult run(Pipeline pipeline) {
    CheckedOptions checked = WeirOptionsValidator.validate(options);
    String master = WeirOptionsValidator.master(options);
    if (master != null && WeirOptionsValidator.defaultParallelism(options)) {
      // As the embedded cluster gives a job one subtask per worker, a cluster of processes gives
      // it every slot its workers have.
      checked =
          WeirOptionsValidator.validate(options, ClusterJob.registeredSlots(master, options));
    }
    MetricsEnvironment.setMetricsSupported(true);
    TransformOverrides.apply(pipeline);
    ExecutionPlan plan =
        PipelineTranslator.translate(
            pipeline, options.getJobName(), checked.parallelism(), checked.maxParallelism());
    LOG.debug("Translated {}", plan);
    return execute(plan, options, checked);
  }

  /**
   * Runs an execution plan made elsewhere (the portable job server translates pipeline protos)
   * the way {@link #run} runs a translated Java pipeline: on an embedded cluster, or on {@code
   * --weirMaster}'s cluster.
   */
  public static WeirPipelineResult runPlan(ExecutionPlan plan, WeirPipelineOptions options) {
    MetricsEnvironment.setMetricsSupported(true);
    return execute(plan, options, WeirOptionsValidator.validate(options));
  }

  /** The subtasks per stage a job with {@code options} runs with. */
  public static int parallelism(WeirPipelineOptions options) {
    return WeirOptionsValidator.validate(options).parallelism();
  }

  /** The number of key groups a job with {@code options} runs with. */
  public static int maxParallelism(WeirPipelineOptions options) {
    return WeirOptionsValidator.validate(options).maxParallelism();
  }

  private static WeirPipelineResult execute(
      ExecutionPlan plan, WeirPipelineOptions options, CheckedOptions checked) {
    String jobId = options.getJobName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    String master = WeirOptionsValidator.master(options);
    if (master != null) {
      // The job's jars are staged to the coordinator; its workers load the job's classes there.
      ClusterJob job = ClusterJob.submit(master, jobId, plan, options);
      WeirPipelineResult result = new WeirPipelineResult(job);
      // Pushes the attempted metrics the coordinator reports to --metricsSink, if one is set.
      PolledMetricsPusher.startIfConfigured(job, result, options.as(MetricsOptions.class));
      return result;
    }
    EmbeddedCluster cluster = EmbeddedCluster.start(options, checked, Instant::now);
    AtomicReference<WebServer> web = new AtomicReference<>();
    String webUrl = null;
    JobCoordinator coordinator;
    try {
      coordinator =
          new JobCoordinator(
              jobId,
              plan,
              cluster.workers(),
              () -> {
                closeWeb(web);
                cluster.close();
              });
      // Before the job starts, so a job that ends at once still finds it to close.
      WebServer started = EmbeddedWeb.start(options, coordinator, cluster);
      web.set(started);
      webUrl = started == null ? null : started.url();
      coordinator.start(options);
    } catch (RuntimeException e) {
      closeWeb(web);
      cluster.close();
      throw e;
    }
    WeirPipelineResult result = new WeirPipelineResult(coordinator, webUrl);
    // Pushes attempted metrics to --metricsSink every --metricsPushPeriod seconds, if one is set.
    new MetricsPusher(
            coordinator.liveAttemptedMetrics(), options.as(MetricsOptions.class), result)
        .start();
    return result;
  }

  private static void closeWeb(AtomicReference<WebServer> web) {
    WebServer server = web.getAndSet(null);
    if (server != null) {
      server.close();
    }
  }
}
