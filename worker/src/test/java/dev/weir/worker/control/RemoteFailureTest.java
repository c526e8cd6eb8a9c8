package dev.weir.worker.control;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.weir.worker.control.v1.Failure;
import dev.weir.worker.exchange.ExchangeException;
import org.junit.Test;

/**
 * A failure crosses processes as a description (class, message, stack, causes) that anyone can
 * read without running its code; only the job's submitter decodes the user's own exception.
 */
public class RemoteFailureTest {
  private final ClassLoader loader = getClass().getClassLoader();

  /** A user exception the client can rebuild as itself. */
  static final class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** One that cannot be serialized: a field that is not Serializable. */
  static final class UnserializableException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    @SuppressWarnings("unused")
    private final Object notSerializable = new Object();

    UnserializableException(String message) {
      super(message);
    }
  }

  @Test
  public void theSubmitterGetsTheUsersExceptionTypeBack() {
    UserException thrown = new UserException("bad record", new ArithmeticException("/ by zero"));

    Throwable back = RemoteFailure.rethrowable(RemoteFailure.describe(thrown), loader);

    assertEquals(UserException.class, back.getClass());
    assertEquals("bad record", back.getMessage());
    assertEquals(ArithmeticException.class, back.getCause().getClass());
    assertSameFrame(thrown.getStackTrace()[0], back.getStackTrace()[0]);
  }

  @Test
  public void anExceptionThatDoesNotSerializeComesBackAsItsDescription() {
    UnserializableException thrown = new UnserializableException("no bytes for me");

    Failure described = RemoteFailure.describe(thrown);
    Throwable back = RemoteFailure.rethrowable(described, loader);

    assertTrue(described.getSerializedException().isEmpty());
    assertEquals(RemoteFailure.class, back.getClass());
    assertEquals(UnserializableException.class.getName(), ((RemoteFailure) back).className());
    assertTrue(back.getMessage().contains("no bytes for me"));
    assertSameFrame(thrown.getStackTrace()[0], back.getStackTrace()[0]);
  }

  @Test
  public void aStandInIsPassedOnAsTheMessageItCameFrom() {
    Failure described = RemoteFailure.describe(new UserException("x", null));
    RemoteFailure atCoordinator = RemoteFailure.of(described);

    assertSame(described, RemoteFailure.describe(atCoordinator));
    assertEquals(
        described, RemoteFailure.describe(new IllegalStateException("wrapped", atCoordinator))
            .getCause());
  }

  @Test
  public void aStandInIsTakenForTheClassItNames() {
    RemoteFailure exchange =
        RemoteFailure.of(RemoteFailure.describe(new ExchangeException("channel broke")));

    assertTrue(RemoteFailure.isA(exchange, ExchangeException.class));
    assertFalse(RemoteFailure.isA(exchange, IllegalStateException.class));
    assertTrue(RemoteFailure.isA(new ExchangeException("here"), ExchangeException.class));
  }

  @Test
  public void aCycleInTheCauseChainEnds() {
    IllegalStateException first = new IllegalStateException("first");
    IllegalStateException second = new IllegalStateException("second", first);
    first.initCause(second);

    Failure described = RemoteFailure.describe(first);

    assertEquals("second", described.getCause().getMessage());
    assertFalse(described.getCause().hasCause());
  }

  /** Class, method, file and line (a rebuilt frame knows no class loader or module). */
  private static void assertSameFrame(StackTraceElement expected, StackTraceElement actual) {
    assertEquals(expected.getClassName(), actual.getClassName());
    assertEquals(expected.getMethodName(), actual.getMethodName());
    assertEquals(expected.getFileName(), actual.getFileName());
    assertEquals(expected.getLineNumber(), actual.getLineNumber());
  }
}
