package dev.weir.worker.security;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.weir.worker.control.ControlChannel;
import dev.weir.worker.control.ControlServer;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Test;

/**
 * A control server with security on serves only clients that hold the cluster's credentials:
 * a plaintext client, a TLS client without a certificate, one with the wrong secret and one whose
 * certificate another CA signed are each refused with an error that says why, and the service's
 * handler never runs for them.
 */
public class ClusterSecurityTest {
  private static final long TIMEOUT_MILLIS = 20_000;
  private static final ClusterCredentials CLUSTER = ClusterCredentials.generate(Duration.ofDays(1));
  private static final ClusterCredentials OTHER_CLUSTER =
      ClusterCredentials.generate(Duration.ofDays(1));

  private static final MethodDescriptor.Marshaller<String> TEXT =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
  private static final MethodDescriptor<String, String> RUN =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("weir.test.Guarded/Run")
          .setRequestMarshaller(TEXT)
          .setResponseMarshaller(TEXT)
          .build();

  private final AtomicInteger ran = new AtomicInteger();
  private ControlServer server =
      ControlServer.start("127.0.0.1", 0, ClusterSecurity.of(CLUSTER), () -> {}, guarded());

  private ServerServiceDefinition guarded() {
    return ServerServiceDefinition.builder(
            ServiceDescriptor.newBuilder("weir.test.Guarded").addMethod(RUN).build())
        .addMethod(
            RUN,
            ControlServer.unaryHandler(
                request -> {
                  ran.incrementAndGet();
                  return "ran " + request;
                }))
        .build();
  }

  @After
  public void close() {
    server.close();
  }

  private String callWith(ClusterSecurity security) {
    try (ControlChannel channel = new ControlChannel(server.address(), security)) {
      return channel.call(RUN, "job", TIMEOUT_MILLIS);
    }
  }

  @Test
  public void aClientWithTheClusterCredentialsIsServed() {
    assertEquals("ran job", callWith(ClusterSecurity.of(CLUSTER)));
    assertEquals(1, ran.get());
  }

  @Test
  public void aPlaintextClientIsRefusedAndNothingRuns() {
    ClusterSecurity plaintext = ClusterSecurity.insecure("test client");
    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> callWith(plaintext));
    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
    String why = plaintext.explainRefusal(refused);
    assertTrue(String.valueOf(why), why != null && why.contains("the peer closed this plaintext connection"));
    assertEquals(0, ran.get());
  }

  @Test
  public void aTlsClientWithoutACertificateIsRefusedAndNothingRuns() throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(server.address())
            .sslContext(GrpcSslContexts.forClient().trustManager(CLUSTER.ca()).build())
            .overrideAuthority(ClusterCredentials.NODE_NAME)
            .build();
    try {
      StatusRuntimeException refused =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  ClientCalls.blockingUnaryCall(
                      channel,
                      RUN,
                      CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS),
                      "job"));
      String why = ClusterSecurity.of(CLUSTER).explainRefusal(refused);
      assertTrue(String.valueOf(why), why != null && why.contains("the peer refused this process's certificate in the TLS handshake"));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertEquals(0, ran.get());
  }

  @Test
  public void aClientWithAWrongSecretIsRefusedAsUnauthenticatedAndNothingRuns() {
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () -> callWith(ClusterSecurity.of(CLUSTER.withSecret("not-the-secret"))));
    assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
    assertEquals(
        "Weir refused the call: wrong cluster secret", refused.getStatus().getDescription());
    assertEquals(
        "authentication failed: Weir refused the call: wrong cluster secret",
        ClusterSecurity.of(CLUSTER).explainRefusal(refused));
    assertEquals(0, ran.get());
  }

  @Test
  public void aClientWhoseCertificateAnotherCaSignedIsRefusedByTheServerAndNothingRuns() {
    // It trusts the cluster's CA and knows the secret: only its own certificate is foreign.
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () -> callWith(ClusterSecurity.of(OTHER_CLUSTER.trusting(CLUSTER))));
    String why = ClusterSecurity.of(CLUSTER).explainRefusal(refused);
    assertTrue(String.valueOf(why), why != null && why.contains("the peer refused this process's certificate in the TLS handshake"));
    assertEquals(0, ran.get());
  }

  @Test
  public void aClientOfAnotherClusterRefusesTheServerAndNothingRuns() {
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class, () -> callWith(ClusterSecurity.of(OTHER_CLUSTER)));
    String why = ClusterSecurity.of(CLUSTER).explainRefusal(refused);
    assertTrue(String.valueOf(why), why != null && why.contains("the peer's certificate is not signed by this process's cluster CA"));
    assertEquals(0, ran.get());
  }

  @Test
  public void anInsecureServerServesPlaintextClientsAndRefusesTlsOnes() {
    server.close();
    server = ControlServer.start("127.0.0.1", 0, ClusterSecurity.insecure("test server"), () -> {},
        guarded());
    assertEquals("ran job", callWith(ClusterSecurity.insecure("test client")));
    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> callWith(ClusterSecurity.of(CLUSTER)));
    String why = ClusterSecurity.of(CLUSTER).explainRefusal(refused);
    assertTrue(String.valueOf(why), why != null && why.contains("the peer does not speak TLS"));
    assertEquals(1, ran.get());
  }

  @Test
  public void errorsThatAreNotAboutAuthenticationAreNotExplainedAsSuch() {
    assertEquals(
        null,
        ClusterSecurity.of(CLUSTER)
            .explainRefusal(Status.INTERNAL.withDescription("boom").asRuntimeException()));
  }
}
