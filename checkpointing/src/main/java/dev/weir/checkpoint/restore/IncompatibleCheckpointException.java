package dev.weir.checkpoint.restore;

/**
 * A checkpoint that cannot be restored into this job as it is planned (another number of key
 * groups, state of operators the plan no longer has, contradicting entries). Restarting does not
 * help: the job fails with this message, which says what to change.
 */
public final class IncompatibleCheckpointException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public IncompatibleCheckpointException(String message) {
    super(message);
  }
}
