package dev.weir.worker.task;

import com.google.protobuf.ByteString;
import dev.weir.worker.operators.SourceWork;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A snapshot of where one subtask is, for the coordinator's no-progress check and its message:
 * how many events it has handled and sent so far, whether it is busy (handling input or in user
 * code) or waiting for input, its watermarks, its next processing-time timer, and the metrics it
 * has counted so far (attempted, as Beam {@code MonitoringInfo} bytes), and how much of their
 * bounded restrictions its splittable DoFns have done.
 */
public final class SubtaskProgress implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TaskId task;
  private final String stageName;
  private final long events;
  private final boolean busy;
  private final Instant inputWatermark;
  private final Instant outputWatermark;
  private final @Nullable Instant nextProcessingTimer;
  private final List<ByteString> metrics;
  private final Map<String, SourceWork> sourceWork;
  private long elapsedMillis = -1;
  private long idleMillis;
  private long backpressuredMillis;
  private SubtaskIo io = SubtaskIo.NONE;

  public SubtaskProgress(
      TaskId task,
      String stageName,
      long events,
      boolean busy,
      Instant inputWatermark,
      Instant outputWatermark,
      @Nullable Instant nextProcessingTimer) {
    this(
        task, stageName, events, busy, inputWatermark, outputWatermark, nextProcessingTimer,
        List.of());
  }

  public SubtaskProgress(
      TaskId task,
      String stageName,
      long events,
      boolean busy,
      Instant inputWatermark,
      Instant outputWatermark,
      @Nullable Instant nextProcessingTimer,
      List<ByteString> metrics) {
    this(
        task,
        stageName,
        events,
        busy,
        inputWatermark,
        outputWatermark,
        nextProcessingTimer,
        metrics,
        Map.of());
  }

  public SubtaskProgress(
      TaskId task,
      String stageName,
      long events,
      boolean busy,
      Instant inputWatermark,
      Instant outputWatermark,
      @Nullable Instant nextProcessingTimer,
      List<ByteString> metrics,
      Map<String, SourceWork> sourceWork) {
    this.sourceWork = Map.copyOf(sourceWork);
    this.task = task;
    this.metrics = List.copyOf(metrics);
    this.stageName = stageName;
    this.events = events;
    this.busy = busy;
    this.inputWatermark = inputWatermark;
    this.outputWatermark = outputWatermark;
    this.nextProcessingTimer = nextProcessingTimer;
  }

  public TaskId task() {
    return task;
  }

  public String stageName() {
    return stageName;
  }

  /** Events handled plus events sent so far; it grows while the subtask makes progress. */
  public long events() {
    return events;
  }

  public boolean busy() {
    return busy;
  }

  public Instant inputWatermark() {
    return inputWatermark;
  }

  public Instant outputWatermark() {
    return outputWatermark;
  }

  /** The earliest pending processing-time timer: the subtask will wake up by itself then. */
  public @Nullable Instant nextProcessingTimer() {
    return nextProcessingTimer;
  }

  /**
   * All the subtask counted so far (attempted): Beam {@code MonitoringInfo} messages, each in its
   * protobuf bytes; element counts up to the last bundle's end.
   */
  public List<ByteString> metrics() {
    return metrics;
  }

  /**
   * By step name, how much of the bounded restrictions given to this subtask each of its
   * splittable DoFns has done (see {@link SourceWork}); only those that have seen one.
   */
  public Map<String, SourceWork> sourceWork() {
    return sourceWork;
  }

  /**
   * This progress with how the subtask has spent its time since it started: {@code elapsedMillis}
   * in all, {@code idleMillis} waiting for input (or the clock), {@code backpressuredMillis}
   * waiting for output credit; the rest it was busy.
   */
  public SubtaskProgress withTimeUse(long elapsedMillis, long idleMillis, long backpressuredMillis) {
    SubtaskProgress copy = copy();
    copy.elapsedMillis = elapsedMillis;
    copy.idleMillis = idleMillis;
    copy.backpressuredMillis = backpressuredMillis;
    return copy;
  }

  /** This progress with what has crossed the subtask's boundary so far. */
  public SubtaskProgress withIo(SubtaskIo io) {
    SubtaskProgress copy = copy();
    copy.io = io;
    return copy;
  }

  private SubtaskProgress copy() {
    SubtaskProgress copy =
        new SubtaskProgress(
            task,
            stageName,
            events,
            busy,
            inputWatermark,
            outputWatermark,
            nextProcessingTimer,
            metrics,
            sourceWork);
    copy.elapsedMillis = elapsedMillis;
    copy.idleMillis = idleMillis;
    copy.backpressuredMillis = backpressuredMillis;
    copy.io = io;
    return copy;
  }

  /** Records and bytes in and out so far. */
  public SubtaskIo io() {
    return io;
  }

  /** Milliseconds since the subtask started; -1 if not reported. */
  public long elapsedMillis() {
    return elapsedMillis;
  }

  /** Milliseconds it waited for input or for the clock. */
  public long idleMillis() {
    return idleMillis;
  }

  /** Milliseconds it waited for output credit: backpressured by its consumers. */
  public long backpressuredMillis() {
    return backpressuredMillis;
  }

  @Override
  public String toString() {
    return "stage '"
        + stageName
        + "' subtask "
        + task.subtask()
        + (busy ? " is busy (in user code or blocked sending)" : " is waiting for input")
        + ", input watermark "
        + inputWatermark
        + ", output watermark "
        + outputWatermark;
  }
}
