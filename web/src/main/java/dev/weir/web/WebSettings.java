package dev.weir.web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Where the web server listens and whom it serves.
 *
 * @param bind the address to listen on ({@code --webBind}, default {@code 127.0.0.1})
 * @param port the port ({@code --webPort}); 0 picks a free one
 * @param token the bearer token every API and metrics request must carry, or empty for none (the
 *     cluster secret)
 * @param insecure {@code --webInsecure}: serve a non-loopback address without a token
 * @param cancelToken with {@code --webAllowCancel}, the bearer token a job cancel must carry (the
 *     cluster secret, also on loopback); empty: cancel is off (405)
 * @param metricsPerSubtask {@code --metricsPerSubtask}: {@code /metrics} also exports series per
 *     subtask (label {@code subtask}), which grow with the parallelism
 */
public record WebSettings(
    String bind,
    int port,
    Optional<String> token,
    boolean insecure,
    Optional<String> cancelToken,
    boolean metricsPerSubtask) {
  public static final String DEFAULT_BIND = "127.0.0.1";

  public WebSettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--webPort must be 0..65535, not " + port);
    }
    if (token.isPresent() && token.get().isEmpty()) {
      throw new IllegalArgumentException("an empty web token is no token");
    }
    if (cancelToken.isPresent() && cancelToken.get().isEmpty()) {
      throw new IllegalArgumentException("an empty cancel token is no token");
    }
  }

  /** Read-only, per-stage metrics. */
  public WebSettings(String bind, int port, Optional<String> token, boolean insecure) {
    this(bind, port, token, insecure, Optional.empty(), false);
  }

  /** Loopback on {@code port}, no token. */
  public static WebSettings loopback(int port) {
    return new WebSettings(DEFAULT_BIND, port, Optional.empty(), false);
  }

  /** These settings with job cancel allowed to requests carrying {@code secret}. */
  public WebSettings allowingCancel(String secret) {
    return new WebSettings(bind, port, token, insecure, Optional.of(secret), metricsPerSubtask);
  }

  /** These settings with or without per-subtask series in {@code /metrics}. */
  public WebSettings withMetricsPerSubtask(boolean perSubtask) {
    return new WebSettings(bind, port, token, insecure, cancelToken, perSubtask);
  }

  /** The bind address resolved; throws naming {@code --webBind} if it does not resolve. */
  InetAddress address() {
    try {
      return InetAddress.getByName(bind);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--webBind=" + bind + " is not an address here", e);
    }
  }

  /** Whether the server is reachable from this host only. */
  public boolean loopbackOnly() {
    return address().isLoopbackAddress();
  }

  /**
   * Refuses settings that would expose the cluster's state to the network unauthenticated: a
   * non-loopback address needs a token, or {@code --webInsecure} said on purpose.
   */
  public void check() {
    if (!loopbackOnly() && token.isEmpty() && !insecure) {
      throw new IllegalArgumentException(
          "--webBind="
              + bind
              + " is not a loopback address: the web server would show the cluster's jobs to"
              + " anyone who reaches it. Give the coordinator its --securityDir (the cluster"
              + " secret becomes the bearer token the web server requires), or --webInsecure to"
              + " serve it without authentication");
    }
  }
}
