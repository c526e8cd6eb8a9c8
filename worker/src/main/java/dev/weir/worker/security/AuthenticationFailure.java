package dev.weir.worker.security;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.handler.ssl.NotSslRecordException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Tells, from a failed call, whether the peer and this process did not accept each other's
 * credentials, and says so in words: gRPC reports most such failures as UNAVAILABLE with a TLS
 * exception deep in the causes, which reads like a network problem.
 */
final class AuthenticationFailure {
  private AuthenticationFailure() {}

  /** Null if {@code e} is not about authentication. */
  static @Nullable String explain(StatusRuntimeException e, boolean plaintextClient) {
    Status status = e.getStatus();
    if (status.getCode() == Status.Code.UNAUTHENTICATED) {
      return "authentication failed: " + status.getDescription();
    }
    if (status.getCode() != Status.Code.UNAVAILABLE) {
      return null;
    }
    Throwable root = null;
    boolean tls = false;
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof NotSslRecordException) {
        return "authentication failed: the peer does not speak TLS (does it run with --insecure?"
            + " then so must this process)";
      }
      tls |= t instanceof SSLException;
      root = t;
    }
    if (tls) {
      String detail = String.valueOf(root.getMessage());
      String lower = detail.toLowerCase(Locale.ROOT);
      // Alerts the peer sent: it did not accept the certificate this process presented.
      if (lower.contains("certificate_required")
          || lower.contains("bad_certificate")
          || lower.contains("certificate_unknown")
          || lower.contains("unknown_ca")) {
        return "authentication failed: the peer refused this process's certificate in the TLS"
            + " handshake (it holds no certificate signed by the peer's cluster CA; is"
            + " --securityDir that cluster's?): "
            + detail;
      }
      return "authentication failed: the TLS handshake failed; the peer's certificate is not"
          + " signed by this process's cluster CA (is --securityDir that cluster's?): "
          + detail;
    }
    if (plaintextClient && e.getCause() == null
        && String.valueOf(status.getDescription()).startsWith("Network closed")) {
      return "authentication failed: the peer closed this plaintext connection; it probably"
          + " requires TLS and the cluster's credentials (security is on by default: give this"
          + " process the cluster's --securityDir)";
    }
    return null;
  }
}
