package dev.weir.worker.security;

import io.grpc.ForwardingClientCall;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster secret on every call: clients send it in a header, servers refuse a call without it
 * (UNAUTHENTICATED) before any handler sees the call. Checked per call, not per message, so a
 * data-exchange stream pays for it once.
 */
final class ClusterSecretCheck implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSecretCheck.class);

  static final Metadata.Key<String> HEADER =
      Metadata.Key.of("weir-cluster-secret", Metadata.ASCII_STRING_MARSHALLER);

  static final String MISSING = "Weir refused the call: it carries no cluster secret";
  static final String WRONG = "Weir refused the call: wrong cluster secret";

  private final byte[] expected;

  ClusterSecretCheck(String secret) {
    this.expected = secret.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public <Req, Res> ServerCall.Listener<Req> interceptCall(
      ServerCall<Req, Res> call, Metadata headers, ServerCallHandler<Req, Res> next) {
    String presented = headers.get(HEADER);
    // Constant time, so the comparison does not reveal how much of a guess was right.
    if (presented != null
        && MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.US_ASCII))) {
      return next.startCall(call, headers);
    }
    String refusal = presented == null ? MISSING : WRONG;
    SocketAddress from = call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    LOG.warn("{} to {} from {}", refusal, call.getMethodDescriptor().getFullMethodName(), from);
    call.close(Status.UNAUTHENTICATED.withDescription(refusal), new Metadata());
    return new ServerCall.Listener<Req>() {};
  }

  /** Adds {@code secret} to every call of a channel. */
  static ClientInterceptor sender(String secret) {
    return new ClientInterceptor() {
      @Override
      public <Req, Res> ClientCall<Req, Res> interceptCall(
          MethodDescriptor<Req, Res> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<Req, Res>(
            next.newCall(method, options)) {
          @Override
          public void start(Listener<Res> listener, Metadata headers) {
            headers.put(HEADER, secret);
            super.start(listener, headers);
          }
        };
      }
    };
  }
}
