package dev.weir.worker.control;

import com.google.protobuf.ByteString;
import dev.weir.worker.control.v1.Failure;
import dev.weir.worker.control.v1.StackFrame;
import dev.weir.worker.usercode.UserCodeBytes;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * An exception thrown in another process, rebuilt from the {@link Failure} message that describes
 * it (class name, message, stack, cause chain) without running any of its code: what the
 * coordinator holds for a subtask's failure, and what a client shows when the user's own exception
 * cannot be decoded. It keeps the message it came from, so passing it on sends the same bytes.
 */
public final class RemoteFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  /** Cause chains longer than this are cut: a message must stay bounded. */
  private static final int MAX_CAUSES = 32;

  private final Failure failure;

  private RemoteFailure(Failure failure) {
    super(
        failure.getMessage().isEmpty()
            ? failure.getClassName()
            : failure.getClassName() + ": " + failure.getMessage());
    this.failure = failure;
    StackTraceElement[] stack = new StackTraceElement[failure.getStackCount()];
    for (int i = 0; i < stack.length; i++) {
      StackFrame frame = failure.getStack(i);
      stack[i] =
          new StackTraceElement(
              frame.getDeclaringClass(),
              frame.getMethodName(),
              frame.getFileName().isEmpty() ? null : frame.getFileName(),
              frame.getLineNumber());
    }
    setStackTrace(stack);
    if (failure.hasCause()) {
      initCause(new RemoteFailure(failure.getCause()));
    }
  }

  /** The failure {@code message} describes, as a stand-in exception. */
  public static RemoteFailure of(Failure message) {
    return new RemoteFailure(message);
  }

  /** The name of the class of the exception this stands for. */
  public String className() {
    return failure.getClassName();
  }

  /** The message this was rebuilt from. */
  public Failure failure() {
    return failure;
  }

  /**
   * Whether {@code t} is a {@code type}, or stands for an exception of exactly that class (its
   * subclasses cannot be told without loading the remote class, which is not done here).
   */
  public static boolean isA(@Nullable Throwable t, Class<? extends Throwable> type) {
    return type.isInstance(t)
        || (t instanceof RemoteFailure && ((RemoteFailure) t).className().equals(type.getName()));
  }

  /**
   * Describes {@code t}: a stand-in gives back the message it came from; any other exception is
   * described with its cause chain, and carries its own serialized bytes if it serializes, for
   * the client that submitted the job (see the package comment of {@code
   * dev.weir.worker.usercode}).
   */
  public static Failure describe(Throwable t) {
    if (t instanceof RemoteFailure) {
      return ((RemoteFailure) t).failure;
    }
    Failure.Builder described =
        describeChain(t, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
    try {
      described.setSerializedException(ByteString.copyFrom(UserCodeBytes.encode(t)));
    } catch (RuntimeException notSerializable) {
      // A field that does not serialize: the description stands in for it.
    }
    return described.build();
  }

  private static Failure.Builder describeChain(Throwable t, Set<Throwable> seen, int depth) {
    if (t instanceof RemoteFailure) {
      return ((RemoteFailure) t).failure.toBuilder();
    }
    seen.add(t);
    Failure.Builder described = Failure.newBuilder().setClassName(t.getClass().getName());
    if (t.getMessage() != null) {
      described.setMessage(t.getMessage());
    }
    for (StackTraceElement e : t.getStackTrace()) {
      StackFrame.Builder frame =
          StackFrame.newBuilder()
              .setDeclaringClass(e.getClassName())
              .setMethodName(e.getMethodName())
              .setLineNumber(e.getLineNumber());
      if (e.getFileName() != null) {
        frame.setFileName(e.getFileName());
      }
      described.addStack(frame);
    }
    Throwable cause = t.getCause();
    if (cause != null && !seen.contains(cause) && depth < MAX_CAUSES) {
      described.setCause(describeChain(cause, seen, depth + 1));
    }
    return described;
  }

  /**
   * For the client that submitted the job only: the user's own exception decoded from {@code
   * message} with the job's classes ({@code jobLoader}), or, if it carries none or they do not
   * decode, a stand-in.
   */
  public static Throwable rethrowable(Failure message, ClassLoader jobLoader) {
    if (!message.getSerializedException().isEmpty()) {
      try {
        return UserCodeBytes.decode(
            message.getSerializedException().toByteArray(),
            Throwable.class,
            jobLoader,
            "the exception that failed the job");
      } catch (RuntimeException | LinkageError notDecodable) {
        // A class the client does not have: the description stands in.
      }
    }
    return of(message);
  }
}
