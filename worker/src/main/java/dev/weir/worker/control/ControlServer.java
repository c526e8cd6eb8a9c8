package dev.weir.worker.control;

import dev.weir.worker.security.ClusterSecurity;
import io.grpc.Attributes;
import io.grpc.Server;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A gRPC server for control services on {@code bindHost:port} (port 0: a free port). */
public final class ControlServer implements AutoCloseable {
  private static final int MAX_MESSAGE_BYTES = 256 << 20;

  private final Server server;
  private final String address;

  private ControlServer(Server server, String address) {
    this.server = server;
    this.address = address;
  }

  /** Plaintext and unauthenticated: for tests within one JVM; processes pass their security. */
  public static ControlServer start(String bindHost, int port, ServerServiceDefinition... services) {
    return start(bindHost, port, ClusterSecurity.plaintextInOneJvm(), () -> {}, services);
  }

  /**
   * Serves {@code services} on {@code bindHost:port}, secured as {@code security} says (with
   * security on, a call without the cluster's certificate and secret never reaches a service).
   * {@code connectionClosed} runs (on a gRPC thread: it must not block) whenever a client's
   * connection ends, whatever the reason: the coordinator hears of a worker process's death this
   * way, as its heartbeat connection closes.
   */
  public static ControlServer start(
      String bindHost,
      int port,
      ClusterSecurity security,
      Runnable connectionClosed,
      ServerServiceDefinition... services) {
    NettyServerBuilder builder =
        security.secureServer(NettyServerBuilder.forAddress(new InetSocketAddress(bindHost, port)))
            // Plans of big pipelines and metrics of many steps exceed gRPC's 4 MiB default.
            .maxInboundMessageSize(MAX_MESSAGE_BYTES)
            .addTransportFilter(
                new ServerTransportFilter() {
                  @Override
                  public void transportTerminated(Attributes transportAttrs) {
                    connectionClosed.run();
                  }
                });
    for (ServerServiceDefinition service : services) {
      builder.addService(service);
    }
    Server server = builder.build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind control service to " + bindHost + ":" + port, e);
    }
    return new ControlServer(server, bindHost + ":" + server.getPort());
  }

  /**
   * Serves a unary call with {@code body}; a {@link StatusRuntimeException} it throws reaches the
   * caller with its status, any other exception as an INTERNAL status with the exception's text.
   */
  public static <Req, Res> ServerCallHandler<Req, Res> unaryHandler(Function<Req, Res> body) {
    return ServerCalls.asyncUnaryCall(
        (request, response) -> {
          Res result;
          try {
            result = body.apply(request);
          } catch (StatusRuntimeException e) {
            response.onError(e);
            return;
          } catch (RuntimeException e) {
            response.onError(
                Status.INTERNAL.withDescription(e.toString()).withCause(e).asRuntimeException());
            return;
          }
          response.onNext(result);
          response.onCompleted();
        });
  }

  public int port() {
    return server.getPort();
  }

  /** host:port as others should dial it. */
  public String address() {
    return address;
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
