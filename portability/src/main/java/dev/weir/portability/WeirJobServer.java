package dev.weir.portability;

import dev.weir.worker.control.LaunchArguments;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.beam.model.pipeline.v1.Endpoints;
import org.apache.beam.runners.fnexecution.artifact.ArtifactRetrievalService;
import org.apache.beam.runners.fnexecution.artifact.ArtifactStagingService;
import org.apache.beam.sdk.expansion.service.ExpansionService;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.PortablePipelineOptions;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.Server;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.netty.NettyServerBuilder;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weir's Beam job server: one gRPC port serving the JobService, artifact staging and artifact
 * retrieval, and Beam's Java expansion service (cross-language transforms; their Java stages run
 * in an EMBEDDED harness). Any Beam SDK submits to it ({@code --runner=PortableRunner
 * --jobEndpoint=localhost:8099} in Java). The SDK harness services (control, data, state,
 * logging, provisioning) are started per job by Beam's job bundle factory on the workers.
 *
 * <p>Arguments: {@code --port} (8099; 0 picks a free one), {@code --bind} (the address to listen
 * on; loopback unless given, as the job API has no authentication: an address other than loopback
 * is refused unless {@code --insecure} is given too, and then logged as a warning), {@code
 * --artifactsDir} (where
 * staged artifacts go; a temporary directory by default), {@code --jobRetentionSeconds} (how long
 * an ended job stays visible, 600) and {@code --maxJobs} (100).
 */
public final class WeirJobServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WeirJobServer.class);
  private static final Set<String> ARGUMENTS =
      Set.of("port", "bind", "insecure", "artifactsDir", "jobRetentionSeconds", "maxJobs");

  private final Server server;
  private final ExecutorService launcher;
  private final ArtifactStagingService staging;
  private final @Nullable Path temporaryArtifacts;

  private WeirJobServer(
      Server server,
      ExecutorService launcher,
      ArtifactStagingService staging,
      @Nullable Path temporaryArtifacts) {
    this.server = server;
    this.launcher = launcher;
    this.staging = staging;
    this.temporaryArtifacts = temporaryArtifacts;
  }

  /** Starts a server as {@code args} (see the class comment) say. */
  public static WeirJobServer start(Map<String, String> args) throws IOException {
    return start(args, EnvironmentSupport.ofThisMachine());
  }

  static WeirJobServer start(Map<String, String> args, EnvironmentSupport environments)
      throws IOException {
    for (String name : args.keySet()) {
      if (!ARGUMENTS.contains(name)) {
        throw new IllegalArgumentException(
            "Unknown argument --" + name + "; known are " + new java.util.TreeSet<>(ARGUMENTS));
      }
    }
    int port = Integer.parseInt(args.getOrDefault("port", "8099"));
    String bind = args.getOrDefault("bind", "localhost");
    checkBind(bind, Boolean.parseBoolean(args.getOrDefault("insecure", "false")));
    Path temporaryArtifacts =
        args.containsKey("artifactsDir") ? null : Files.createTempDirectory("weir-artifacts");
    Path artifacts =
        temporaryArtifacts != null ? temporaryArtifacts : Path.of(args.get("artifactsDir"));
    Duration retention =
        Duration.ofSeconds(Long.parseLong(args.getOrDefault("jobRetentionSeconds", "600")));
    int maxJobs = Integer.parseInt(args.getOrDefault("maxJobs", "100"));

    ArtifactStagingService staging =
        new ArtifactStagingService(
            ArtifactStagingService.beamFilesystemArtifactDestinationProvider(
                artifacts.toAbsolutePath().toString()));
    ExecutorService launcher =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "weir-job-launcher");
              t.setDaemon(true);
              return t;
            });
    // The port is only known once bound; the service reads the endpoint at each Prepare.
    AtomicReference<Endpoints.ApiServiceDescriptor> endpoint = new AtomicReference<>();
    WeirJobService jobs =
        new WeirJobService(
            new JobTable(
                retention,
                maxJobs,
                System::currentTimeMillis,
                job -> WeirJobService.removeArtifacts(staging, job)),
            staging,
            endpoint::get,
            environments,
            launcher);
    // Java transforms expanded here run in an EMBEDDED Java harness inside Weir's workers, so a
    // cross-language pipeline needs no Docker; its Java stages are fused apart from the others.
    PortablePipelineOptions expansionOptions =
        PipelineOptionsFactory.fromArgs("--defaultEnvironmentType=EMBEDDED")
            .as(PortablePipelineOptions.class);
    // The embedded harness has Weir's classes already: nothing for the submitter to fetch.
    expansionOptions.setFilesToStage(List.of());
    ExpansionService expansion = new ExpansionService(expansionOptions);
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(bind, port))
            .addService(jobs)
            .addService(staging)
            .addService(new ArtifactRetrievalService())
            .addService(expansion)
            .maxInboundMessageSize(Integer.MAX_VALUE)
            .build()
            .start();
    endpoint.set(
        Endpoints.ApiServiceDescriptor.newBuilder()
            .setUrl(
                (bind.contains(":") ? "[" + bind + "]" : bind)
                    + ":"
                    + server.getPort())
            .build());
    return new WeirJobServer(server, launcher, staging, temporaryArtifacts);
  }

  /**
   * Refuses an address other than loopback unless {@code insecure}: whoever reaches the job API
   * runs code (the pipelines it submits), and neither the Job API nor the SDKs' clients of it
   * authenticate.
   */
  static void checkBind(String bind, boolean insecure) throws IOException {
    if (InetAddress.getByName(bind).isLoopbackAddress()) {
      return;
    }
    if (!insecure) {
      throw new IllegalArgumentException(
          "--bind="
              + bind
              + " is not a loopback address. The Beam Job API has no authentication: anyone who"
              + " can reach the port can submit a pipeline and so run code in this process. Bind"
              + " to 127.0.0.1 and reach it through an SSH tunnel, or add --insecure to listen on "
              + bind
              + " anyway.");
    }
    LOG.warn(
        "Listening on {} with --insecure: anyone who can reach this port can run code here.",
        bind);
  }

  /** The port the server listens on. */
  public int port() {
    return server.getPort();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() throws Exception {
    server.shutdown();
    if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
      server.shutdownNow();
    }
    launcher.shutdownNow();
    staging.close();
    if (temporaryArtifacts != null) {
      // The server made it: what is left in it (jobs still running at close) goes with it.
      try (Stream<Path> paths = Files.walk(temporaryArtifacts)) {
        paths.sorted(Comparator.reverseOrder()).forEach(WeirJobServer::deleteQuietly);
      }
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.warn("Could not delete {}", path, e);
    }
  }

  public static void main(String[] argv) throws Exception {
    WeirJobServer server = start(LaunchArguments.parse(joinSeparateValues(argv)));
    // The launch script (bin/weir-job-server --daemon) waits for this line.
    System.out.println("WEIR_JOB_SERVER_LISTENING port=" + server.port());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (Exception e) {
                    // Exiting anyway.
                  }
                }));
    server.awaitTermination();
  }

  /** Accepts {@code --port 8099} as well as {@code --port=8099}, as Beam's job servers do. */
  static String[] joinSeparateValues(String[] argv) {
    List<String> joined = new ArrayList<>();
    for (int i = 0; i < argv.length; i++) {
      String arg = argv[i];
      if (arg.startsWith("--")
          && arg.indexOf('=') < 0
          && i + 1 < argv.length
          && !argv[i + 1].startsWith("--")) {
        joined.add(arg + "=" + argv[++i]);
      } else {
        joined.add(arg);
      }
    }
    return joined.toArray(new String[0]);
  }
}
