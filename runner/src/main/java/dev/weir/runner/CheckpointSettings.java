package dev.weir.runner;

import dev.weir.checkpoint.CheckpointingOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What a job's checkpoints and restarts run with after {@link #from} checked {@link
 * CheckpointingOptions}: Flink's "unset" value -1 replaced by Weir's default.
 *
 * @param intervalMillis time between checkpoint triggers; 0 when checkpoints are off
 * @param checkpointDir where checkpoints go; null when checkpoints are off
 * @param timeoutMillis how long a checkpoint may take before it is aborted
 * @param minPauseMillis pause between the end of one checkpoint and the start of the next
 * @param retries how many times a failed job is restarted
 * @param retryDelayMillis wait before each restart
 * @param retained completed checkpoints kept
 * @param restoreFrom the checkpoint or savepoint directory the job starts from, or null
 */
record CheckpointSettings(
    long intervalMillis,
    @Nullable URI checkpointDir,
    long timeoutMillis,
    long minPauseMillis,
    int retries,
    long retryDelayMillis,
    int retained,
    @Nullable URI restoreFrom) {

  /**
   * The shortest interval accepted. A trigger costs every source an end of bundle and every subtask
   * a snapshot and an upload round trip; below 10 ms the job would do little else, and a checkpoint
   * could not complete before the next one is due. Flink refuses the same values.
   */
  static final long MIN_INTERVAL_MILLIS = 10;

  static final long DEFAULT_TIMEOUT_MILLIS = 10 * 60 * 1000;
  static final int DEFAULT_RETRIES_WITH_CHECKPOINTS = 3;
  static final long DEFAULT_RETRY_DELAY_MILLIS = 1000;

  /** The file systems Weir ships a client for (hadoop-client, hadoop-aws) and tests against. */
  private static final Set<String> SCHEMES = Set.of("file", "hdfs", "s3a");

  private static final Pattern RESTORE_DIRECTORY = Pattern.compile("(?:chk|savepoint)-(\\d+)");

  boolean enabled() {
    return intervalMillis > 0;
  }

  /**
   * Checks and resolves the options; throws {@link IllegalArgumentException} naming the option that
   * is wrong.
   */
  static CheckpointSettings from(CheckpointingOptions options) {
    long interval = orMinusOne(options.getCheckpointingInterval());
    if (interval != -1 && interval < MIN_INTERVAL_MILLIS) {
      throw new IllegalArgumentException(
          "--checkpointingInterval must be -1 (no checkpoints) or at least "
              + MIN_INTERVAL_MILLIS
              + " ms (a shorter one leaves the job no time between checkpoints), got "
              + interval);
    }
    boolean enabled = interval > 0;
    String mode = options.getCheckpointingMode();
    if (mode != null && !mode.equals("EXACTLY_ONCE")) {
      throw new IllegalArgumentException(
          "--checkpointingMode must be EXACTLY_ONCE, got '"
              + mode
              + "': Weir always aligns barriers, it has no at-least-once mode");
    }
    if (options.getNumConcurrentCheckpoints() != 1) {
      throw new IllegalArgumentException(
          "--numConcurrentCheckpoints must be 1 (Weir takes one checkpoint at a time), got "
              + options.getNumConcurrentCheckpoints());
    }
    long timeout = orMinusOne(options.getCheckpointTimeoutMillis());
    if (timeout != -1 && timeout < 1) {
      throw new IllegalArgumentException(
          "--checkpointTimeoutMillis must be -1 (10 minutes) or positive, got " + timeout);
    }
    long minPause = orMinusOne(options.getMinPauseBetweenCheckpoints());
    requireUnsetOrNotNegative("--minPauseBetweenCheckpoints", minPause);
    Integer requestedRetries = options.getNumberOfExecutionRetries();
    long retries = requestedRetries == null ? -1 : requestedRetries;
    requireUnsetOrNotNegative("--numberOfExecutionRetries", retries);
    long delay = orMinusOne(options.getExecutionRetryDelay());
    requireUnsetOrNotNegative("--executionRetryDelay", delay);
    if (options.getRetainedCheckpoints() < 1) {
      throw new IllegalArgumentException(
          "--retainedCheckpoints must be at least 1, got " + options.getRetainedCheckpoints());
    }
    URI dir = null;
    if (options.getCheckpointDir() != null) {
      dir = fileSystemUri("--checkpointDir", options.getCheckpointDir());
    } else if (enabled) {
      throw new IllegalArgumentException(
          "--checkpointDir is required with --checkpointingInterval: a Hadoop FileSystem URI"
              + " such as file:///tmp/checkpoints, hdfs://namenode:8020/checkpoints or"
              + " s3a://bucket/checkpoints");
    }
    URI restoreFrom = null;
    if (options.getRestoreFrom() != null) {
      restoreFrom = fileSystemUri("--restoreFrom", options.getRestoreFrom());
      if (restoreDirectoryName(restoreFrom) == null) {
        throw new IllegalArgumentException(
            "--restoreFrom must name a checkpoint or savepoint directory (.../<job>/chk-<n> or"
                + " .../<job>/savepoint-<n>), got '"
                + options.getRestoreFrom()
                + "'");
      }
    }
    return new CheckpointSettings(
        enabled ? interval : 0,
        enabled ? dir : null,
        timeout == -1 ? DEFAULT_TIMEOUT_MILLIS : timeout,
        minPause == -1 ? 0 : minPause,
        retries == -1 ? (enabled ? DEFAULT_RETRIES_WITH_CHECKPOINTS : 0) : (int) retries,
        delay == -1 ? DEFAULT_RETRY_DELAY_MILLIS : delay,
        options.getRetainedCheckpoints(),
        restoreFrom);
  }

  /** The last path segment of a restore URI if it is {@code chk-<n>} or {@code savepoint-<n>}. */
  static @Nullable String restoreDirectoryName(URI uri) {
    String path = uri.getPath();
    if (path == null) {
      return null;
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String name = path.substring(path.lastIndexOf('/') + 1);
    int slash = path.lastIndexOf('/');
    // The job directory must be there too: the handles' paths are relative to it.
    if (slash <= 0) {
      return null;
    }
    Matcher m = RESTORE_DIRECTORY.matcher(name);
    return m.matches() ? name : null;
  }

  private static URI fileSystemUri(String option, String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          option + " must be a Hadoop FileSystem URI, got '" + value + "': " + e.getMessage(), e);
    }
    String scheme = uri.getScheme();
    if (scheme == null || !SCHEMES.contains(scheme)) {
      throw new IllegalArgumentException(
          option
              + " must be a URI with scheme file://, hdfs:// or s3a://, got '"
              + value
              + "'"
              + (scheme == null ? " (no scheme)" : "")
              + ("s3".equals(scheme) ? " (use s3a:// for S3)" : ""));
    }
    if (!"file".equals(scheme) && (uri.getAuthority() == null || uri.getAuthority().isEmpty())) {
      throw new IllegalArgumentException(
          option
              + " needs a "
              + ("s3a".equals(scheme) ? "bucket" : "namenode host")
              + " for "
              + scheme
              + "://, got '"
              + value
              + "'");
    }
    if (uri.getPath() == null || uri.getPath().isEmpty()) {
      throw new IllegalArgumentException(
          option + " must name a directory (an absolute path), got '" + value + "'");
    }
    return uri;
  }

  private static long orMinusOne(@Nullable Long value) {
    return value == null ? -1 : value;
  }

  private static void requireUnsetOrNotNegative(String option, long value) {
    if (value < -1) {
      throw new IllegalArgumentException(
          option + " must be -1 (Weir's default) or at least 0, got " + value);
    }
  }
}
