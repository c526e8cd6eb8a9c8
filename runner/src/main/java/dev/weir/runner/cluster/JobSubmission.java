package dev.weir.runner.cluster;

import java.io.Serializable;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;

/**
 * A job as a client sends it: its id, the serialized {@code ExecutionPlan} and the pipeline options
 * (serialized as JSON by {@link SerializablePipelineOptions}).
 */
public final class JobSubmission implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String jobId;
  private final byte[] serializedPlan;
  private final SerializablePipelineOptions options;

  public JobSubmission(String jobId, byte[] serializedPlan, SerializablePipelineOptions options) {
    this.jobId = jobId;
    this.serializedPlan = serializedPlan;
    this.options = options;
  }

  public String jobId() {
    return jobId;
  }

  public byte[] serializedPlan() {
    return serializedPlan;
  }

  public SerializablePipelineOptions options() {
    return options;
  }
}
