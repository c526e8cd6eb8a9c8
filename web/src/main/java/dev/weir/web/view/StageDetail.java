package dev.weir.web.view;

import java.util.List;

/**
 * One stage of a job with its running subtasks.
 *
 * @param steps the full names of the Beam transforms fused into the stage
 * @param subtasks the subtasks of the running attempt that have reported or ended, by index
 */
public record StageDetail(
    String jobId,
    int stageId,
    String name,
    int parallelism,
    List<String> steps,
    List<SubtaskStatus> subtasks) {
  public StageDetail {
    steps = List.copyOf(steps);
    subtasks = List.copyOf(subtasks);
  }

  /**
   * Where a subtask is and how it spends its time: milliseconds per second busy (in user code or
   * handling input), idle (waiting for input) and backpressured (waiting for output credit),
   * measured over the latest second or more of its reports; -1 where not known yet (and for a
   * subtask that has ended).
   *
   * @param events events handled plus events sent so far; -1 for a subtask that has ended
   * @param ended it has ended (its records and bytes are final, its watermarks at the end of time
   *     if it finished)
   * @param recordsIn elements received on its input channels so far, plus those its sources read
   * @param bytesIn their encoded bytes
   * @param recordsOut elements sent on its output channels so far (a broadcast one once per
   *     consumer)
   * @param bytesOut their encoded bytes
   */
  public record SubtaskStatus(
      int subtask,
      int attempt,
      String worker,
      long events,
      long inputWatermarkMillis,
      long outputWatermarkMillis,
      long busyMillisPerSecond,
      long idleMillisPerSecond,
      long backpressuredMillisPerSecond,
      boolean ended,
      long recordsIn,
      long bytesIn,
      long recordsOut,
      long bytesOut) {

    /** A running subtask before it reported records and bytes. */
    public SubtaskStatus(
        int subtask,
        int attempt,
        String worker,
        long events,
        long inputWatermarkMillis,
        long outputWatermarkMillis,
        long busyMillisPerSecond,
        long idleMillisPerSecond,
        long backpressuredMillisPerSecond) {
      this(
          subtask,
          attempt,
          worker,
          events,
          inputWatermarkMillis,
          outputWatermarkMillis,
          busyMillisPerSecond,
          idleMillisPerSecond,
          backpressuredMillisPerSecond,
          false,
          0,
          0,
          0,
          0);
    }
  }
}
