package dev.weir.portability;

import dev.weir.worker.control.LaunchArguments;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.fn.harness.FnHarness;
import org.apache.beam.model.fnexecution.v1.ProvisionApi;
import org.apache.beam.model.fnexecution.v1.ProvisionServiceGrpc;
import org.apache.beam.model.pipeline.v1.Endpoints;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.construction.PipelineOptionsTranslation;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannel;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannelBuilder;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.Metadata;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.stub.MetadataUtils;

/**
 * The boot program of a Java SDK harness in a PROCESS environment: the job server's worker starts
 * the environment's command with {@code --id} and {@code --provision_endpoint}; this asks the
 * provision service for the job's options and the control and logging endpoints, then runs
 * Beam's {@link FnHarness} in this JVM until the runner hangs up. Beam's own boot program (in its
 * containers, written in Go) does the same and also fetches the staged artifacts; this one runs
 * the harness on its own classpath, which must hold the pipeline's classes.
 *
 * <p>A command for {@code --defaultEnvironmentConfig={"command": "..."}} is a script such as
 * {@code exec java -cp <weir-portability and the pipeline's jars>
 * dev.weir.portability.JavaHarnessBoot "$@"}.
 */
public final class JavaHarnessBoot {
  private JavaHarnessBoot() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = LaunchArguments.parse(argv);
    String id = required(args, "id");
    String provisionEndpoint = required(args, "provision_endpoint");
    ProvisionApi.ProvisionInfo info = provisionInfo(id, provisionEndpoint);
    PipelineOptions options = PipelineOptionsTranslation.fromProto(info.getPipelineOptions());
    Endpoints.ApiServiceDescriptor status =
        info.hasStatusEndpoint() ? info.getStatusEndpoint() : null;
    FnHarness.main(
        id,
        options,
        new HashSet<>(info.getRunnerCapabilitiesList()),
        info.getLoggingEndpoint(),
        info.getControlEndpoint(),
        status);
  }

  private static String required(Map<String, String> args, String name) {
    String value = args.get(name);
    if (value == null) {
      throw new IllegalArgumentException("The harness boot needs --" + name + "=..., got " + args);
    }
    return value;
  }

  /** Asks the runner's provision service; the worker id goes in the header it expects. */
  private static ProvisionApi.ProvisionInfo provisionInfo(String id, String endpoint)
      throws InterruptedException {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(endpoint).usePlaintext().build();
    try {
      Metadata headers =
          new Metadata();
      headers.put(
          Metadata.Key.of(
              "worker_id", Metadata.ASCII_STRING_MARSHALLER),
          id);
      return ProvisionServiceGrpc.newBlockingStub(channel)
          .withInterceptors(
              MetadataUtils.newAttachHeadersInterceptor(headers))
          .getProvisionInfo(ProvisionApi.GetProvisionInfoRequest.getDefaultInstance())
          .getInfo();
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
