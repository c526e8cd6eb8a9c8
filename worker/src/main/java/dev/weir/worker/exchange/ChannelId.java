package dev.weir.worker.exchange;

import java.io.Serializable;
import java.util.Objects;

/**
 * Names one channel of a job: edge {@code edgeId} of the execution plan, from producer subtask
 * {@code producer} to consumer subtask {@code consumer}.
 */
public final class ChannelId implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String jobId;
  private final int edgeId;
  private final int producer;
  private final int consumer;

  public ChannelId(String jobId, int edgeId, int producer, int consumer) {
    this.jobId = jobId;
    this.edgeId = edgeId;
    this.producer = producer;
    this.consumer = consumer;
  }

  public String jobId() {
    return jobId;
  }

  public int edgeId() {
    return edgeId;
  }

  public int producer() {
    return producer;
  }

  public int consumer() {
    return consumer;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ChannelId)) {
      return false;
    }
    ChannelId c = (ChannelId) o;
    return c.jobId.equals(jobId) && c.edgeId == edgeId && c.producer == producer
        && c.consumer == consumer;
  }

  @Override
  public int hashCode() {
    return Objects.hash(jobId, edgeId, producer, consumer);
  }

  @Override
  public String toString() {
    return jobId + "/edge" + edgeId + "/" + producer + "->" + consumer;
  }
}
