package dev.weir.worker.control;

/**
 * Stands in for an exception that cannot be Java-serialized (a field that is not serializable),
 * keeping its class name, message and stack trace so the user still sees where their code failed.
 */
public final class RemoteFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private RemoteFailure(String message) {
    super(message);
  }

  /** {@code failure} itself if it serializes, else a stand-in with its text and stack trace. */
  public static Throwable transferable(Throwable failure) {
    try {
      JavaSerializedMarshaller.serialize(failure);
      return failure;
    } catch (RuntimeException notSerializable) {
      RemoteFailure copy = new RemoteFailure(failure.toString());
      copy.setStackTrace(failure.getStackTrace());
      if (failure.getCause() != null && failure.getCause() != failure) {
        copy.initCause(transferable(failure.getCause()));
      }
      return copy;
    }
  }
}
