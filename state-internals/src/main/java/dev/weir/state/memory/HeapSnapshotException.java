package dev.weir.state.memory;

/** A heap snapshot that cannot be written or read: I/O failure, corruption or a foreign file. */
public final class HeapSnapshotException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  HeapSnapshotException(String message) {
    super(message);
  }

  HeapSnapshotException(String message, Throwable cause) {
    super(message, cause);
  }
}
