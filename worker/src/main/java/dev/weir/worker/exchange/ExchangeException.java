package dev.weir.worker.exchange;

/** A channel broke: its peer went away, or the job it belongs to was cancelled. */
public class ExchangeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ExchangeException(String message) {
    super(message);
  }

  public ExchangeException(String message, Throwable cause) {
    super(message, cause);
  }
}
