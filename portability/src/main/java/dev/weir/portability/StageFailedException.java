package dev.weir.portability;

/**
 * A bundle of an executable stage failed in the SDK harness. The message carries the harness's
 * error (the user's exception and its stack, as the SDK formatted them), since the user's
 * exception itself lives in another process or another SDK's language.
 */
public final class StageFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  StageFailedException(String stage, Exception cause) {
    super("Stage '" + stage + "' failed in the SDK harness: " + cause.getMessage(), cause);
  }
}
