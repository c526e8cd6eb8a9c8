package dev.weir.state.rocksdb;

import java.nio.file.Path;

/**
 * A RocksDB read or write failed (full disk, corrupt file, closed handle). Unchecked so it fails
 * the task through Beam's state API, which declares no checked exceptions; the message names the
 * state directory so the operator knows which disk to look at.
 */
public final class RocksDbStateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RocksDbStateException(String what, Path directory, Throwable cause) {
    super(what + " (state directory " + directory + "): " + cause.getMessage(), cause);
  }

  public RocksDbStateException(String message) {
    super(message);
  }

  /** The same failure seen again by another thread or call; {@code cause} is the first report. */
  RocksDbStateException(RocksDbStateException cause) {
    super(cause.getMessage(), cause);
  }
}
