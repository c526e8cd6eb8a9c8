package dev.weir.web.view;

import java.util.List;

/**
 * One stage of a job with its running subtasks.
 *
 * @param steps the full names of the Beam transforms fused into the stage
 * @param subtasks the subtasks of the running attempt that have reported, by index
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
   * measured over the latest second or more of its reports; -1 where not known yet.
   *
   * @param events events handled plus events sent so far
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
      long backpressuredMillisPerSecond) {}
}
