package dev.weir.web.view;

/**
 * A failure of a job: one that made it restart, or the one that failed it.
 *
 * @param timeMillis when the restart was deployed, or when the job ended
 * @param attempt the attempt that failed
 * @param cause the failure as {@code Throwable.toString()} (the user's exception where user code
 *     threw)
 * @param restarted whether the job restarted after it (false: the job failed with it)
 * @param stage the stage of the subtask that reported it; null if unknown
 * @param subtask that subtask's index; null if unknown
 * @param step the full name of the step (Beam transform) it came out of; null if unknown or from
 *     outside any step (the exchange, a lost worker)
 * @param worker the worker the subtask ran on; null if unknown
 */
public record JobException(
    long timeMillis,
    int attempt,
    String cause,
    boolean restarted,
    Integer stage,
    Integer subtask,
    String step,
    String worker) {

  /** A failure whose origin is unknown. */
  public JobException(long timeMillis, int attempt, String cause, boolean restarted) {
    this(timeMillis, attempt, cause, restarted, null, null, null, null);
  }
}
