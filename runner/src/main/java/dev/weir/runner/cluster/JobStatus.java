package dev.weir.runner.cluster;

import java.io.Serializable;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.PipelineResult;
import org.checkerframework.checker.nullness.qual.Nullable;

/** A job's state, failure cause and metrics so far, as the coordinator reports them. */
public final class JobStatus implements Serializable {
  private static final long serialVersionUID = 1L;

  private final PipelineResult.State state;
  private final @Nullable Throwable failure;
  private final MetricsContainerStepMap attemptedMetrics;
  private final MetricsContainerStepMap committedMetrics;

  public JobStatus(
      PipelineResult.State state,
      @Nullable Throwable failure,
      MetricsContainerStepMap attemptedMetrics,
      MetricsContainerStepMap committedMetrics) {
    this.state = state;
    this.failure = failure;
    this.attemptedMetrics = attemptedMetrics;
    this.committedMetrics = committedMetrics;
  }

  public PipelineResult.State state() {
    return state;
  }

  public @Nullable Throwable failure() {
    return failure;
  }

  public MetricsContainerStepMap attemptedMetrics() {
    return attemptedMetrics;
  }

  public MetricsContainerStepMap committedMetrics() {
    return committedMetrics;
  }
}
