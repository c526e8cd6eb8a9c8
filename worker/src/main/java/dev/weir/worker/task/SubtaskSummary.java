package dev.weir.worker.task;

import dev.weir.worker.exchange.ChannelId;
import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;

/** What a subtask reports when it ends: its metrics and how many elements it sent per channel. */
public final class SubtaskSummary implements Serializable {
  private static final long serialVersionUID = 1L;

  private final MetricsContainerStepMap metrics;
  private final Map<ChannelId, Long> elementsSent;

  public SubtaskSummary(MetricsContainerStepMap metrics, Map<ChannelId, Long> elementsSent) {
    this.metrics = metrics;
    this.elementsSent = Collections.unmodifiableMap(elementsSent);
  }

  public MetricsContainerStepMap metrics() {
    return metrics;
  }

  /** Elements sent on each output channel. */
  public Map<ChannelId, Long> elementsSent() {
    return elementsSent;
  }
}
