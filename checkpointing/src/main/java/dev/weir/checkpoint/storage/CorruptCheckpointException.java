package dev.weir.checkpoint.storage;

import java.io.IOException;

/** A stored checkpoint that cannot be used: its metadata or one of its files is bad or missing. */
public final class CorruptCheckpointException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String location;
  private final String reason;

  public CorruptCheckpointException(String location, String reason) {
    super(location + ": " + reason);
    this.location = location;
    this.reason = reason;
  }

  public CorruptCheckpointException(String location, String reason, Throwable cause) {
    super(location + ": " + reason, cause);
    this.location = location;
    this.reason = reason;
  }

  /** The file or directory that is bad. */
  public String location() {
    return location;
  }

  /** What is wrong with it, e.g. "checksum mismatch: stored 0x1a2b3c4d, computed 0x00ff00ff". */
  public String reason() {
    return reason;
  }
}
