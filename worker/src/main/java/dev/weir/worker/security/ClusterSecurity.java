package dev.weir.worker.security;

import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one Weir process secures its gRPC servers and channels: mutual TLS with the cluster's
 * credentials plus the cluster secret on every call, or nothing at all ({@link #insecure}, for
 * debugging, which logs a warning). Every server and channel of a process is built through the same
 * instance; the TLS contexts are made once and shared, so are their session caches.
 */
public final class ClusterSecurity {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSecurity.class);

  /** How long the embedded cluster's in-memory certificates are valid. */
  private static final Duration EMBEDDED_VALIDITY = Duration.ofDays(3650);

  private static final ClusterSecurity NONE = new ClusterSecurity(null);

  private final @Nullable ClusterCredentials credentials;
  private final @Nullable SslContext serverContext;
  private final @Nullable SslContext clientContext;

  private ClusterSecurity(@Nullable ClusterCredentials credentials) {
    this.credentials = credentials;
    if (credentials == null) {
      this.serverContext = null;
      this.clientContext = null;
      return;
    }
    try {
      this.serverContext =
          GrpcSslContexts.configure(
                  SslContextBuilder.forServer(credentials.key(), credentials.certificate()))
              .trustManager(credentials.ca())
              .clientAuth(ClientAuth.REQUIRE)
              .build();
      this.clientContext =
          GrpcSslContexts.forClient()
              .keyManager(credentials.key(), credentials.certificate())
              .trustManager(credentials.ca())
              .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS with the Weir cluster credentials", e);
    }
  }

  /** Mutual TLS with {@code credentials}, and their secret on every call. */
  public static ClusterSecurity of(ClusterCredentials credentials) {
    return new ClusterSecurity(credentials);
  }

  /**
   * A cluster of its own with credentials made in memory now, which nothing outside this JVM has.
   * Making them and their TLS contexts takes 0.1 to 0.25 s (measured, most of it the contexts).
   */
  public static ClusterSecurity generated() {
    return of(ClusterCredentials.generate(EMBEDDED_VALIDITY));
  }

  /**
   * What the embedded clusters of this JVM use: credentials {@linkplain #generated made} in memory
   * at the first call and shared by every embedded cluster after it, so a job start does not pay
   * for them again. Sharing admits nobody new: all these clusters live in this one process, and
   * the credentials never leave it.
   */
  public static ClusterSecurity embedded() {
    return EmbeddedHolder.SECURITY;
  }

  /** Made at the first {@link #embedded()} call (class initialization is lazy and thread-safe). */
  private static final class EmbeddedHolder {
    static final ClusterSecurity SECURITY = generated();
  }

  /**
   * Plaintext, no authentication: anyone who reaches a port can call it. Logs a warning naming
   * {@code who}, so an insecure process never goes unnoticed.
   */
  public static ClusterSecurity insecure(String who) {
    warnInsecure(who);
    return NONE;
  }

  /**
   * Plaintext, no authentication, and no warning: for tests whose servers and clients all live in
   * one JVM and whose subject is not security.
   */
  public static ClusterSecurity plaintextInOneJvm() {
    return NONE;
  }

  private static void warnInsecure(String who) {
    LOG.warn(
        "{} runs with --insecure: its gRPC ports use no TLS and no authentication; anyone who can"
            + " reach them can run code in it. Use this for debugging only.",
        who);
  }

  /**
   * From a process's {@code --securityDir=DIR} or {@code --insecure[=true]} launch arguments; one
   * of them is required, so a cluster is never insecure by omission.
   */
  public static ClusterSecurity fromArguments(Map<String, String> args, String who) {
    boolean insecure = Boolean.parseBoolean(args.getOrDefault("insecure", "false"));
    String dir = args.get("securityDir");
    if (insecure && dir != null) {
      throw new IllegalArgumentException("--insecure and --securityDir exclude each other");
    }
    if (insecure) {
      return insecure(who);
    }
    if (dir == null || dir.isEmpty()) {
      throw new IllegalArgumentException(
          "--securityDir=DIR is required: the cluster's CA, certificate, key and secret (create"
              + " them with weir-security init DIR); or --insecure to run without TLS and"
              + " authentication");
    }
    return fromDirectory(Paths.get(dir));
  }

  /** Mutual TLS with the credentials in {@code dir} (see {@link ClusterCredentials}). */
  public static ClusterSecurity fromDirectory(Path dir) {
    return of(ClusterCredentials.read(dir));
  }

  public boolean isInsecure() {
    return credentials == null;
  }

  /**
   * The cluster secret, which the coordinator's web server requires as a bearer token when it
   * listens beyond loopback; empty for an insecure process.
   */
  public java.util.Optional<String> webToken() {
    return credentials == null
        ? java.util.Optional.empty()
        : java.util.Optional.of(credentials.secret());
  }

  /** The server requires a client certificate of the cluster CA and the secret on every call. */
  public NettyServerBuilder secureServer(NettyServerBuilder builder) {
    if (credentials == null) {
      return builder;
    }
    return builder.sslContext(serverContext).intercept(new ClusterSecretCheck(credentials.secret()));
  }

  /**
   * The channel speaks TLS with this node's certificate, trusts only the cluster CA and dials with
   * {@link ClusterCredentials#NODE_NAME} as its authority (the name in every node certificate,
   * whatever address the peer has); it sends the secret on every call.
   */
  public NettyChannelBuilder secureChannel(NettyChannelBuilder builder) {
    if (credentials == null) {
      return builder.usePlaintext();
    }
    return builder
        .sslContext(clientContext)
        .overrideAuthority(ClusterCredentials.NODE_NAME)
        .intercept(ClusterSecretCheck.sender(credentials.secret()));
  }

  /**
   * If a call this process made failed because the peer and this process did not accept each
   * other's credentials, says so in a sentence that names the cause and the option to check; null
   * for any other failure.
   */
  public @Nullable String explainRefusal(StatusRuntimeException failure) {
    return AuthenticationFailure.explain(failure, credentials == null);
  }

  @Override
  public String toString() {
    return credentials == null
        ? "insecure (plaintext, no authentication)"
        : "mutual TLS ("
            + (OpenSsl.isAvailable() ? "OpenSSL" : "JDK")
            + ") with cluster CA "
            + credentials.ca().getSubjectX500Principal().getName()
            + " and the cluster secret";
  }
}
