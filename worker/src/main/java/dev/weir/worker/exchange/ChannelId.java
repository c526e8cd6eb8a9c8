package dev.weir.worker.exchange;

import java.io.Serializable;
import java.util.Objects;

/**
 * Names one channel of a job: edge {@code edgeId} of the execution plan, from producer subtask
 * {@code producer} to consumer subtask {@code consumer}, in attempt {@code attempt} of the job (0
 * first, one more at each restart), so a restarted job's channels never meet the old ones.
 */
public final class ChannelId implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String jobId;
  private final int edgeId;
  private final int producer;
  private final int consumer;
  private final int attempt;

  /** A channel of the job's first attempt. */
  public ChannelId(String jobId, int edgeId, int producer, int consumer) {
    this(jobId, 0, edgeId, producer, consumer);
  }

  public ChannelId(String jobId, int attempt, int edgeId, int producer, int consumer) {
    this.jobId = jobId;
    this.attempt = attempt;
    this.edgeId = edgeId;
    this.producer = producer;
    this.consumer = consumer;
  }

  public String jobId() {
    return jobId;
  }

  public int attempt() {
    return attempt;
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
    return c.jobId.equals(jobId) && c.attempt == attempt && c.edgeId == edgeId && c.producer == producer
        && c.consumer == consumer;
  }

  @Override
  public int hashCode() {
    return Objects.hash(jobId, attempt, edgeId, producer, consumer);
  }

  @Override
  public String toString() {
    return jobId + (attempt == 0 ? "" : "#" + attempt) + "/edge" + edgeId + "/" + producer + "->" + consumer;
  }
}
