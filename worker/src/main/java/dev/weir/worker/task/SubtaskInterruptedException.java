package dev.weir.worker.task;

/** The subtask was interrupted (the job is being cancelled) while blocked on a channel. */
public final class SubtaskInterruptedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SubtaskInterruptedException() {
    super("Subtask interrupted");
  }
}
