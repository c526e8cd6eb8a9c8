package dev.weir.worker.task;

import dev.weir.worker.exchange.ChannelId;
import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.checkerframework.checker.nullness.qual.Nullable;

/** What a subtask reports when it ends: its metrics and how many elements it sent per channel. */
public final class SubtaskSummary implements Serializable {
  private static final long serialVersionUID = 1L;

  private final MetricsContainerStepMap metrics;
  private final Map<ChannelId, Long> elementsSent;
  private final @Nullable String failedStep;
  private final SubtaskIo io;

  public SubtaskSummary(MetricsContainerStepMap metrics, Map<ChannelId, Long> elementsSent) {
    this(metrics, elementsSent, null, SubtaskIo.NONE);
  }

  private SubtaskSummary(
      MetricsContainerStepMap metrics,
      Map<ChannelId, Long> elementsSent,
      @Nullable String failedStep,
      SubtaskIo io) {
    this.metrics = metrics;
    this.elementsSent = Collections.unmodifiableMap(elementsSent);
    this.failedStep = failedStep;
    this.io = io;
  }

  /** This summary of a failed subtask whose failure came out of step {@code step} (null: unknown). */
  public SubtaskSummary withFailedStep(@Nullable String step) {
    return new SubtaskSummary(metrics, elementsSent, step, io);
  }

  /** This summary with the records and bytes the subtask received and sent in all. */
  public SubtaskSummary withIo(SubtaskIo io) {
    return new SubtaskSummary(metrics, elementsSent, failedStep, io);
  }

  /** Records and bytes in and out over the subtask's life. */
  public SubtaskIo io() {
    return io;
  }

  /** The full name of the step a failed subtask's failure came out of; null if unknown. */
  public @Nullable String failedStep() {
    return failedStep;
  }

  public MetricsContainerStepMap metrics() {
    return metrics;
  }

  /** Elements sent on each output channel. */
  public Map<ChannelId, Long> elementsSent() {
    return elementsSent;
  }
}
