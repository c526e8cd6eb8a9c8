package dev.weir.web.view;

/**
 * A failure of a job: one that made it restart, or the one that failed it.
 *
 * @param timeMillis when the restart was deployed, or when the job ended
 * @param attempt the attempt that failed
 * @param cause the failure as {@code Throwable.toString()} (the user's exception where user code
 *     threw)
 * @param restarted whether the job restarted after it (false: the job failed with it)
 */
public record JobException(long timeMillis, int attempt, String cause, boolean restarted) {}
