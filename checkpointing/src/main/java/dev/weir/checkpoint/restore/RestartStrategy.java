package dev.weir.checkpoint.restore;

import dev.weir.checkpoint.CheckpointingOptions;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * How often a failed job is restarted and how long to wait first: Flink's fixed-delay strategy,
 * resolved from {@code --numberOfExecutionRetries} and {@code --executionRetryDelay} once, so the
 * coordinator only asks {@link #next}.
 *
 * @param maxRetries restarts allowed over the job's life; 0 means a failure fails the job
 * @param delayMillis wait before each restart
 */
public record RestartStrategy(int maxRetries, long delayMillis) {
  /** Restarts when checkpoints are on and {@code --numberOfExecutionRetries} is -1. */
  public static final int DEFAULT_RETRIES_WITH_CHECKPOINTS = 3;

  /** The delay when {@code --executionRetryDelay} is -1. */
  public static final long DEFAULT_DELAY_MILLIS = 1000;

  public RestartStrategy {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries " + maxRetries + " < 0");
    }
    if (delayMillis < 0) {
      throw new IllegalArgumentException("delayMillis " + delayMillis + " < 0");
    }
  }

  /** Never restart: the first failure fails the job. */
  public static RestartStrategy none() {
    return new RestartStrategy(0, DEFAULT_DELAY_MILLIS);
  }

  /** The strategy the options ask for, Flink's -1 ("unset") resolved to Weir's defaults. */
  public static RestartStrategy of(CheckpointingOptions options) {
    Long interval = options.getCheckpointingInterval();
    return resolve(
        options.getNumberOfExecutionRetries(),
        options.getExecutionRetryDelay(),
        interval != null && interval > 0);
  }

  /**
   * Resolves the two options' values: retries -1 (or null) is {@value
   * #DEFAULT_RETRIES_WITH_CHECKPOINTS} with checkpoints and 0 without (a restart without a
   * checkpoint would replay from the start, which only a job that asks for it wants); delay -1
   * (or null) is {@value #DEFAULT_DELAY_MILLIS} ms.
   *
   * @throws IllegalArgumentException naming the option, for a value below -1
   */
  public static RestartStrategy resolve(
      @Nullable Integer numberOfExecutionRetries,
      @Nullable Long executionRetryDelay,
      boolean checkpointingEnabled) {
    int retries =
        numberOfExecutionRetries == null ? -1 : numberOfExecutionRetries;
    long delay = executionRetryDelay == null ? -1 : executionRetryDelay;
    if (retries < -1) {
      throw new IllegalArgumentException(
          "--numberOfExecutionRetries=" + retries + ": must be -1 (default), 0 or more");
    }
    if (delay < -1) {
      throw new IllegalArgumentException(
          "--executionRetryDelay=" + delay + ": must be -1 (default), 0 or more milliseconds");
    }
    return new RestartStrategy(
        retries == -1 ? (checkpointingEnabled ? DEFAULT_RETRIES_WITH_CHECKPOINTS : 0) : retries,
        delay == -1 ? DEFAULT_DELAY_MILLIS : delay);
  }

  /**
   * What to do about a failure after {@code restartsSoFar} restarts (0 for a failure of the first
   * attempt).
   */
  public Decision next(int restartsSoFar) {
    if (restartsSoFar < 0) {
      throw new IllegalArgumentException("restartsSoFar " + restartsSoFar + " < 0");
    }
    if (restartsSoFar < maxRetries) {
      return new Restart(restartsSoFar + 1, delayMillis);
    }
    return new GiveUp(
        maxRetries == 0
            ? "restarts are off (--numberOfExecutionRetries=0, or checkpoints are off and it is"
                + " -1)"
            : "restarted " + restartsSoFar + " times already (--numberOfExecutionRetries="
                + maxRetries + ")");
  }

  /** The outcome of {@link #next}: {@link Restart} or {@link GiveUp}. */
  public sealed interface Decision permits Restart, GiveUp {}

  /**
   * Restart as attempt {@code attempt} (1 for the first restart) after {@code delayMillis}.
   */
  public record Restart(int attempt, long delayMillis) implements Decision {}

  /** Fail the job; {@code reason} says why no restart is left, naming the option. */
  public record GiveUp(String reason) implements Decision {}
}
