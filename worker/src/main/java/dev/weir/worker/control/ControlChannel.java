package dev.weir.worker.control;

import dev.weir.worker.security.ClusterSecurity;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.util.concurrent.TimeUnit;

/** A gRPC connection to one Weir process's control service. */
public final class ControlChannel implements AutoCloseable {
  private static final int MAX_MESSAGE_BYTES = 256 << 20;

  private final String target;
  private final ManagedChannel channel;

  /** Plaintext and unauthenticated: for tests within one JVM; processes pass their security. */
  public ControlChannel(String target) {
    this(target, ClusterSecurity.plaintextInOneJvm());
  }

  /** To {@code target} (host:port), secured as {@code security} says. */
  public ControlChannel(String target, ClusterSecurity security) {
    this.target = target;
    this.channel =
        security
            .secureChannel(NettyChannelBuilder.forTarget(target))
            .maxInboundMessageSize(MAX_MESSAGE_BYTES)
            .build();
  }

  public String target() {
    return target;
  }

  /**
   * Makes a blocking call that gives up after {@code timeoutMillis}; throws {@link
   * StatusRuntimeException} if the peer is unreachable or the call failed there.
   */
  public <Req, Res> Res call(MethodDescriptor<Req, Res> method, Req request, long timeoutMillis) {
    return ClientCalls.blockingUnaryCall(
        channel,
        method,
        CallOptions.DEFAULT.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS),
        request);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
