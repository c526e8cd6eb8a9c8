package dev.weir.runner.cluster;

import com.google.protobuf.Empty;
import dev.weir.runner.CoordinatorView;
import dev.weir.runner.JobCoordinator;
import dev.weir.runner.JobTopology;
import dev.weir.runner.SlotPlacement;
import dev.weir.runner.cluster.v1.ArtifactList;
import dev.weir.runner.cluster.v1.ArtifactUpload;
import dev.weir.runner.cluster.v1.ClusterSlots;
import dev.weir.runner.cluster.v1.GetJobStatus;
import dev.weir.runner.cluster.v1.JobServiceGrpc;
import dev.weir.runner.cluster.v1.JobState;
import dev.weir.runner.cluster.v1.JobStatus;
import dev.weir.runner.cluster.v1.SubmitJob;
import dev.weir.web.WebServer;
import dev.weir.web.WebSettings;
import dev.weir.web.view.WorkerSummary;
import dev.weir.worker.control.ControlServer;
import dev.weir.worker.control.LaunchArguments;
import dev.weir.worker.control.RemoteFailure;
import dev.weir.worker.control.TaskMessages;
import dev.weir.worker.control.v1.ArtifactChunk;
import dev.weir.worker.control.v1.ArtifactsGrpc;
import dev.weir.worker.control.v1.CoordinatorGrpc;
import dev.weir.worker.control.v1.FetchArtifactChunk;
import dev.weir.worker.control.v1.HeartbeatReply;
import dev.weir.worker.control.v1.SourceWorkReport;
import dev.weir.worker.control.v1.SubtaskProgressReport;
import dev.weir.worker.control.v1.TaskReport;
import dev.weir.worker.control.v1.WorkerHeartbeat;
import dev.weir.worker.control.v1.WorkerProgress;
import dev.weir.worker.control.v1.WorkerRegistration;
import dev.weir.worker.security.ClusterSecurity;
import dev.weir.worker.task.MonitoringInfoBytes;
import dev.weir.worker.task.TaskId;
import dev.weir.worker.usercode.JobArtifact;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.PipelineResult;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator of a standalone Weir cluster, as its own JVM. Start it with
 *
 * <pre>
 * java -cp WEIR_AND_USER_CLASSPATH dev.weir.runner.cluster.WeirClusterCoordinator \
 *     --port=8099 --securityDir=DIR [--bind=127.0.0.1] [--finishedJobRetentionSeconds=3600] \
 *     [--artifactDir=DIR] [--webPort=8081 [--webBind=127.0.0.1] [--webInsecure] [--webAllowCancel]
 *     [--metricsPerSubtask]]
 * </pre>
 *
 * <p>{@code --securityDir} holds the cluster's credentials ({@code weir-security init DIR}); the
 * coordinator then accepts only calls over mutual TLS with a certificate of the cluster's CA and
 * the cluster secret, from workers and clients alike. {@code --insecure} instead turns TLS and
 * authentication off (debugging only; logged as a warning). It listens on loopback unless {@code
 * --bind} names another address.
 *
 * then start workers ({@code dev.weir.worker.control.WorkerProcess --coordinator=host:8099}) and
 * run pipelines with {@code --runner=WeirRunner --master=host:8099} (or {@code --weirMaster}).
 * {@code --port=0} picks a free port; the port is printed on stdout as {@value
 * #LISTENING_MARKER}{@code port=N}.
 *
 * <p>Every job runs on the workers registered when it is submitted, placed by their slots ({@link
 * SlotPlacement}: a slot holds one subtask of each stage); a job that needs more slots than those
 * workers have in all is refused at submission, saying so. A client stages the job's
 * jars here first (kept in {@code --artifactDir}, by default a fresh temporary directory, named by
 * their SHA-256); the workers fetch them from here and load the job's classes from them. The
 * coordinator itself never needs the job's classes: a client sends the job's topology (stages,
 * parallelism, edges, names) as protobuf and the stages' user code as bytes it passes on to the
 * workers undecoded. A worker that misses its heartbeats for {@value #WORKER_TIMEOUT_MILLIS} ms is dropped and fails
 * the jobs it was running; one whose process died is dropped sooner, when a closed connection, an
 * unreachable worker or a failed subtask sets off a probe and its control port refuses the
 * probe's connection (a worker that is only slow to answer is left to the heartbeat timeout).
 * An ended job's result stays readable for {@code --finishedJobRetentionSeconds} (default an
 * hour); then the job is forgotten.
 *
 * <p>With {@code --webPort} it serves a read-only web UI, REST API ({@code /api/v1}) and
 * Prometheus metrics ({@code /metrics}) of its jobs and workers ({@link dev.weir.web.WebServer});
 * on loopback unless {@code --webBind} says otherwise, and then only with the cluster secret as
 * bearer token (or {@code --webInsecure}).
 */
public final class WeirClusterCoordinator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WeirClusterCoordinator.class);
  /** Printed on stdout, followed by {@code port=N}, once the coordinator accepts calls. */
  public static final String LISTENING_MARKER = "WEIR_COORDINATOR_LISTENING ";

  static final long WORKER_TIMEOUT_MILLIS = 10_000;

  /**
   * How long an ended job's state, failure and metrics stay readable by default: a client polls
   * until the end and keeps the last status, so this only has to outlast a slow client.
   */
  static final Duration FINISHED_JOB_RETENTION = Duration.ofHours(1);

  /**
   * How long a probed worker has to answer. Only a refused connection drops a worker; one that
   * does not answer in time is left to the heartbeat timeout.
   */
  private static final long PROBE_DEADLINE_MILLIS = 2_000;

  private final Map<String, RemoteWorker> workers = new ConcurrentHashMap<>();
  private final JobRegistry jobs;
  /** Registrations one at a time: a name is checked and taken in one go. */
  private final Object registering = new Object();
  private final ControlServer server;
  private final ScheduledExecutorService sweeper;

  /** Deploys submitted jobs' first attempts, so a submission is answered before they finish. */
  private final ExecutorService deployer =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "weir-coordinator-deployer");
            t.setDaemon(true);
            return t;
          });

  private final AtomicBoolean closed = new AtomicBoolean();
  private final long workerTimeoutMillis;

  /** A probe of the workers is queued and has not started yet; more suspicion joins it. */
  private final AtomicBoolean probeQueued = new AtomicBoolean();

  private final ClusterSecurity security;
  private final ArtifactStore artifacts;

  /** By job id, the SHA-256s of the artifacts of each job submitted and not forgotten yet. */
  private final Map<String, Set<String>> jobArtifacts = new ConcurrentHashMap<>();

  /** The web UI, REST API and metrics ({@code --webPort}), or null. */
  private volatile @Nullable WebServer web;

  private WeirClusterCoordinator(
      String bind,
      int port,
      ClusterSecurity security,
      long workerTimeoutMillis,
      JobRegistry jobs,
      ArtifactStore artifacts) {
    this.artifacts = artifacts;
    this.workerTimeoutMillis = workerTimeoutMillis;
    this.security = security;
    this.jobs = jobs;
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "weir-coordinator-sweeper");
              t.setDaemon(true);
              return t;
            });
    // A worker process that dies closes its heartbeat connection to this server at once.
    this.server =
        ControlServer.start(
            bind,
            port,
            security,
            this::suspectLostWorker,
            workerService(),
            jobService(),
            artifactService());
    sweeper.scheduleWithFixedDelay(this::dropSilentWorkers, 1, 1, TimeUnit.SECONDS);
    sweeper.scheduleWithFixedDelay(this::forgetExpiredJobs, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Forgets the jobs that ended longer than the retention ago, and then the artifacts that only
   * forgotten jobs used (see {@link ArtifactStore#removeUnreferenced}). Synchronized: a caller
   * returns once a sweep running meanwhile has removed what it found.
   */
  synchronized void forgetExpiredJobs() {
    jobs.forgetExpired();
    Set<String> known = jobs.ids();
    if (!jobArtifacts.keySet().retainAll(known)) {
      return;
    }
    Set<String> referenced = new HashSet<>();
    jobArtifacts.values().forEach(referenced::addAll);
    try {
      List<String> removed = artifacts.removeUnreferenced(referenced);
      if (!removed.isEmpty()) {
        LOG.info("Removed {} staged artifacts no known job uses: {}", removed.size(), removed);
      }
    } catch (IOException | RuntimeException e) {
      // The next forgotten job tries again.
      LOG.warn("Cannot remove the artifacts of forgotten jobs", e);
    }
  }

  /**
   * Starts a coordinator on {@code bind:port}, secured as {@code security} says (its server, and
   * its channels to the workers); port 0 picks a free port.
   */
  public static WeirClusterCoordinator start(String bind, int port, ClusterSecurity security) {
    return start(bind, port, security, WORKER_TIMEOUT_MILLIS);
  }

  /** With the heartbeat timeout given (tests of the other ways a lost worker is noticed). */
  static WeirClusterCoordinator start(
      String bind, int port, ClusterSecurity security, long workerTimeoutMillis) {
    return start(
        bind,
        port,
        security,
        workerTimeoutMillis,
        FINISHED_JOB_RETENTION,
        System::currentTimeMillis);
  }

  /**
   * With the heartbeat timeout, how long an ended job's result stays readable, and the clock that
   * retention is measured by.
   */
  static WeirClusterCoordinator start(
      String bind,
      int port,
      ClusterSecurity security,
      long workerTimeoutMillis,
      Duration finishedJobRetention,
      LongSupplier nowMillis) {
    return start(
        bind, port, security, workerTimeoutMillis, finishedJobRetention, nowMillis, null);
  }

  /** As above, keeping staged artifacts in {@code artifactDir} (null: a fresh temporary one). */
  static WeirClusterCoordinator start(
      String bind,
      int port,
      ClusterSecurity security,
      long workerTimeoutMillis,
      Duration finishedJobRetention,
      LongSupplier nowMillis,
      @Nullable Path artifactDir) {
    ArtifactStore store;
    try {
      store =
          new ArtifactStore(
              artifactDir != null
                  ? artifactDir
                  : Files.createTempDirectory("weir-coordinator-artifacts"),
              nowMillis);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the artifact directory " + artifactDir, e);
    }
    return new WeirClusterCoordinator(
        bind,
        port,
        security,
        workerTimeoutMillis,
        new JobRegistry(finishedJobRetention, nowMillis),
        store);
  }

  /** Entry point; see the class comment for the arguments. */
  public static void main(String[] argv) throws InterruptedException {
    Map<String, String> args = LaunchArguments.parse(argv);
    String port = args.get("port");
    if (port == null) {
      throw new IllegalArgumentException("--port is required (0 picks a free port)");
    }
    Duration retention =
        Duration.ofSeconds(
            Long.parseLong(
                args.getOrDefault(
                    "finishedJobRetentionSeconds",
                    Long.toString(FINISHED_JOB_RETENTION.toSeconds()))));
    ClusterSecurity security = ClusterSecurity.fromArguments(args, "The Weir coordinator");
    // Checked before anything listens: a refused --webBind leaves no server behind.
    WebSettings webSettings = args.containsKey("webPort") ? webSettings(args, security) : null;
    WeirClusterCoordinator coordinator =
        start(
            args.getOrDefault("bind", "127.0.0.1"),
            Integer.parseInt(port),
            security,
            WORKER_TIMEOUT_MILLIS,
            retention,
            System::currentTimeMillis,
            args.containsKey("artifactDir") ? Paths.get(args.get("artifactDir")) : null);
    if (webSettings != null) {
      try {
        coordinator.startWeb(webSettings);
      } catch (RuntimeException e) {
        coordinator.close();
        throw e;
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  coordinator.close();
                  stopped.countDown();
                },
                "weir-coordinator-shutdown"));
    System.out.println(LISTENING_MARKER + "port=" + coordinator.port());
    System.out.flush();
    stopped.await();
  }

  public int port() {
    return server.port();
  }

  /**
   * The web server's settings from the launch arguments {@code --webPort}, {@code --webBind}
   * (default 127.0.0.1), {@code --webInsecure}, {@code --webAllowCancel} and {@code
   * --metricsPerSubtask}. Beyond loopback the cluster secret is the bearer token the server
   * requires; without one (an {@code --insecure} cluster) it refuses to start unless {@code
   * --webInsecure}. Job cancel is off unless {@code --webAllowCancel}, and then needs the cluster
   * secret as bearer token, on loopback too: without a secret it refuses to start.
   */
  static WebSettings webSettings(Map<String, String> args, ClusterSecurity security) {
    String bind = args.getOrDefault("webBind", WebSettings.DEFAULT_BIND);
    int port;
    try {
      port = Integer.parseInt(args.get("webPort"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--webPort must be a number, not " + args.get("webPort"));
    }
    boolean insecure = Boolean.parseBoolean(args.getOrDefault("webInsecure", "false"));
    boolean allowCancel = Boolean.parseBoolean(args.getOrDefault("webAllowCancel", "false"));
    boolean perSubtask = Boolean.parseBoolean(args.getOrDefault("metricsPerSubtask", "false"));
    WebSettings settings = new WebSettings(bind, port, java.util.Optional.empty(), insecure);
    if (settings.loopbackOnly() || security.webToken().isEmpty()) {
      // Refuses a non-loopback address unless --webInsecure.
      settings.check();
    } else {
      // Beyond loopback the cluster secret guards it.
      settings = new WebSettings(bind, port, security.webToken(), insecure);
    }
    if (allowCancel) {
      if (security.webToken().isEmpty()) {
        throw new IllegalArgumentException(
            "--webAllowCancel needs the cluster secret (--securityDir): a job cancel must carry"
                + " it as bearer token");
      }
      settings = settings.allowingCancel(security.webToken().get());
    }
    return settings.withMetricsPerSubtask(perSubtask);
  }

  /**
   * Starts the web UI, REST API and Prometheus metrics over this coordinator's jobs and workers
   * (read-only); it stops with the coordinator. Returns its URL, which is logged too.
   */
  public synchronized String startWeb(WebSettings settings) {
    if (web != null) {
      throw new IllegalStateException("The web server runs already at " + web.url());
    }
    web = WebServer.start(settings, view());
    return web.url();
  }

  /** What the web server reads: the registry's jobs and the registered workers. */
  private CoordinatorView view() {
    return new CoordinatorView(
        jobs::all,
        () -> {
          List<WorkerSummary> summaries = new ArrayList<>();
          for (RemoteWorker worker : liveWorkers()) {
            summaries.add(
                new WorkerSummary(
                    worker.name(),
                    Math.max(1, worker.slots()),
                    worker.exchangeAddress(),
                    worker.millisSinceHeartbeat()));
          }
          return summaries;
        },
        name -> {
          RemoteWorker worker = workers.get(name);
          return worker == null ? null : worker.resources();
        });
  }

  /** Names of the workers registered now. */
  public List<String> workerNames() {
    return new ArrayList<>(workers.keySet());
  }

  private ServerServiceDefinition workerService() {
    // Built from the service's descriptor, which fails unless every method has a handler.
    return ServerServiceDefinition.builder(CoordinatorGrpc.getServiceDescriptor())
        .addMethod(CoordinatorGrpc.getRegisterMethod(), ControlServer.unaryHandler(this::register))
        .addMethod(CoordinatorGrpc.getReportTaskMethod(), ControlServer.unaryHandler(this::report))
        .addMethod(
            CoordinatorGrpc.getAcknowledgeCheckpointMethod(),
            ControlServer.unaryHandler(
                ack -> {
                  TaskId task =
                      new TaskId(ack.getJobId(), ack.getStage(), ack.getSubtask(), ack.getAttempt());
                  for (RemoteWorker worker : workers.values()) {
                    worker.acknowledged(task, ack);
                  }
                  return Empty.getDefaultInstance();
                }))
        .addMethod(
            CoordinatorGrpc.getDeclineCheckpointMethod(),
            ControlServer.unaryHandler(
                decline -> {
                  TaskId task =
                      new TaskId(
                          decline.getJobId(),
                          decline.getStage(),
                          decline.getSubtask(),
                          decline.getAttempt());
                  for (RemoteWorker worker : workers.values()) {
                    worker.declined(task, decline);
                  }
                  return Empty.getDefaultInstance();
                }))
        .addMethod(
            CoordinatorGrpc.getHeartbeatMethod(), ControlServer.unaryHandler(this::heartbeat))
        .addMethod(
            CoordinatorGrpc.getReportProgressMethod(),
            ControlServer.unaryHandler(this::progressReported))
        .build();
  }

  private ServerServiceDefinition jobService() {
    return ServerServiceDefinition.builder(JobServiceGrpc.getServiceDescriptor())
        .addMethod(JobServiceGrpc.getSubmitMethod(), ControlServer.unaryHandler(this::submit))
        .addMethod(JobServiceGrpc.getGetStatusMethod(), ControlServer.unaryHandler(this::status))
        .addMethod(
            JobServiceGrpc.getCancelMethod(),
            ControlServer.unaryHandler(
                cancel -> {
                  job(cancel.getJobId()).cancel();
                  return Empty.getDefaultInstance();
                }))
        .addMethod(
            JobServiceGrpc.getMissingArtifactsMethod(),
            ControlServer.unaryHandler(
                list -> {
                  try {
                    List<JobArtifact> missing =
                        artifacts.missing(TaskMessages.artifacts(list.getArtifactsList()));
                    ArtifactList.Builder reply = ArtifactList.newBuilder();
                    for (JobArtifact artifact : missing) {
                      reply.addArtifacts(TaskMessages.artifact(artifact));
                    }
                    return reply.build();
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                }))
        .addMethod(
            JobServiceGrpc.getUploadArtifactMethod(),
            ControlServer.unaryHandler(this::upload))
        .addMethod(
            JobServiceGrpc.getGetClusterSlotsMethod(),
            ControlServer.unaryHandler(
                empty -> {
                  List<RemoteWorker> live = liveWorkers();
                  int slots = 0;
                  for (RemoteWorker worker : live) {
                    slots += worker.slots();
                  }
                  return ClusterSlots.newBuilder()
                      .setSlots(slots)
                      .setWorkers(live.size())
                      .build();
                }))
        .build();
  }

  private Empty upload(ArtifactUpload chunk) {
    JobArtifact artifact;
    try {
      artifact = TaskMessages.artifacts(List.of(chunk.getArtifact())).get(0);
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    try {
      artifacts.upload(
          chunk.getUploadId(),
          artifact,
          chunk.getOffset(),
          chunk.getData().toByteArray(),
          chunk.getLast());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (chunk.getLast()) {
      LOG.info("Artifact staged: {}", artifact);
    }
    return Empty.getDefaultInstance();
  }

  /** The staged artifacts, read by the workers over their control channel. */
  private ServerServiceDefinition artifactService() {
    return ServerServiceDefinition.builder(ArtifactsGrpc.getServiceDescriptor())
        .addMethod(
            ArtifactsGrpc.getFetchMethod(),
            ControlServer.unaryHandler(
                (FetchArtifactChunk fetch) -> {
                  try {
                    return ArtifactChunk.newBuilder()
                        .setData(
                            com.google.protobuf.ByteString.copyFrom(
                                artifacts.read(
                                    fetch.getSha256(), fetch.getOffset(), fetch.getMaxBytes())))
                        .setSize(artifacts.size(fetch.getSha256()))
                        .build();
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                }))
        .build();
  }

  /**
   * A worker joins. A second process under a name that is taken is refused while the first one's
   * control port still takes connections: replacing it would fail the subtasks it runs. A first
   * one whose port refuses connections is gone and is replaced (its subtasks fail, as they would
   * when it is dropped). The same process registering again (a retried call) changes nothing.
   */
  private Empty register(WorkerRegistration registration) {
    synchronized (registering) {
      RemoteWorker existing = workers.get(registration.getName());
      if (existing != null) {
        if (existing.incarnation().equals(registration.getIncarnation())) {
          return Empty.getDefaultInstance();
        }
        if (!existing.refusesConnections(PROBE_DEADLINE_MILLIS)) {
          LOG.warn(
              "Refused a second worker named {} (control {}): {} is registered and alive",
              registration.getName(),
              registration.getControlAddress(),
              existing);
          throw Status.ALREADY_EXISTS
              .withDescription(
                  "A live worker named "
                      + registration.getName()
                      + " is registered already ("
                      + existing
                      + "); start this one with another --name")
              .asRuntimeException();
        }
        drop(existing, "is replaced by a new process of the same name (its own is gone)");
      }
      workers.put(
          registration.getName(), new RemoteWorker(registration, security, this::suspectLostWorker));
    }
    LOG.info(
        "Worker registered: {} ({} slots, exchange {}, control {})",
        registration.getName(),
        Math.max(1, registration.getSlots()),
        registration.getExchangeAddress(),
        registration.getControlAddress());
    return Empty.getDefaultInstance();
  }

  /** Known only to the process that registered the name, not to another one of the same name. */
  private HeartbeatReply heartbeat(WorkerHeartbeat beat) {
    RemoteWorker worker = workers.get(beat.getWorkerName());
    boolean known = worker != null && worker.incarnation().equals(beat.getIncarnation());
    if (known) {
      worker.heartbeat(TaskMessages.resources(beat));
    }
    return HeartbeatReply.newBuilder().setKnown(known).build();
  }

  /** Only from the process that registered the name, as heartbeats. */
  private Empty progressReported(WorkerProgress progress) {
    RemoteWorker worker = workers.get(progress.getWorkerName());
    if (worker != null && worker.incarnation().equals(progress.getIncarnation())) {
      List<dev.weir.worker.task.SubtaskProgress> subtasks = new ArrayList<>();
      for (SubtaskProgressReport report : progress.getSubtasksList()) {
        subtasks.add(TaskMessages.progress(report));
      }
      worker.progressReported(subtasks);
    }
    return Empty.getDefaultInstance();
  }

  private Empty report(TaskReport report) {
    // The failure stays a description: the coordinator runs no code of the job's exceptions.
    Throwable failure = report.hasFailure() ? RemoteFailure.of(report.getFailure()) : null;
    if (failure != null) {
      // Often a data-exchange stream that broke because the worker at its other end died.
      suspectLostWorker();
    }
    TaskId task = TaskMessages.task(report.getTask());
    dev.weir.worker.task.SubtaskSummary summary = TaskMessages.summary(report.getSummary());
    for (RemoteWorker worker : workers.values()) {
      worker.report(task, failure, summary);
    }
    return Empty.getDefaultInstance();
  }

  private Empty submit(SubmitJob submission) {
    List<RemoteWorker> available = new ArrayList<>(workers.values());
    if (available.isEmpty()) {
      throw new IllegalStateException("No worker has registered with this Weir coordinator yet");
    }
    available.sort((a, b) -> a.name().compareTo(b.name()));
    String jobId = submission.getJobId();
    JobTopology plan = topology(submission);
    List<JobArtifact> staged;
    try {
      staged = TaskMessages.artifacts(submission.getArtifactsList());
      List<JobArtifact> missing = artifacts.missing(staged);
      if (!missing.isEmpty()) {
        throw Status.FAILED_PRECONDITION
            .withDescription("Job " + jobId + " names artifacts not staged here: " + missing)
            .asRuntimeException();
      }
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    plan = plan.withArtifacts(staged);
    String noSlots = SlotPlacement.refusal(jobId, plan, available);
    if (noSlots != null) {
      LOG.warn("Refused job {}: {}", jobId, noSlots);
      throw Status.RESOURCE_EXHAUSTED.withDescription(noSlots).asRuntimeException();
    }
    SerializablePipelineOptions options =
        new SerializablePipelineOptions(submission.getPipelineOptionsJson());
    // A restart is placed on the workers registered then: those that missed their heartbeats
    // are gone from the map.
    JobCoordinator job =
        new JobCoordinator(
            jobId,
            plan,
            this::liveWorkers,
            () -> {
              jobs.ended(jobId);
              LOG.info("Job {} ended", jobId);
            });
    jobs.add(jobId, job);
    Set<String> hashes = new HashSet<>();
    staged.forEach(artifact -> hashes.add(artifact.sha256()));
    jobArtifacts.put(jobId, hashes);
    LOG.info("Job {} submitted, running on {}", jobId, available);
    job.startDeployingOn(options.get(), deployer);
    return Empty.getDefaultInstance();
  }

  /**
   * The topology the client sent. The coordinator never decodes user code: a submission without
   * a topology (only a whole plan as Java-serialized bytes) is refused.
   */
  private static JobTopology topology(SubmitJob submission) {
    if (!submission.hasTopology()) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "Job "
                  + submission.getJobId()
                  + " came without its topology; this coordinator does not decode a job's"
                  + " classes (submit it with a Weir client of this version)")
          .asRuntimeException();
    }
    try {
      return JobTopology.fromProto(submission.getTopology());
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
  }

  /** The registered workers, by name, so placement does not depend on registration order. */
  private List<RemoteWorker> liveWorkers() {
    List<RemoteWorker> live = new ArrayList<>(workers.values());
    live.sort((a, b) -> a.name().compareTo(b.name()));
    return live;
  }

  private JobStatus status(GetJobStatus request) {
    JobCoordinator job = job(request.getJobId());
    // Read the failure and metrics after the state: once terminal, they no longer change.
    PipelineResult.State state = job.state();
    @Nullable Throwable failure = job.failure();
    JobStatus.Builder status =
        JobStatus.newBuilder()
            .setState(JobState.valueOf("JOB_STATE_" + state.name()))
            .addAllAttemptedMetrics(MonitoringInfoBytes.encode(job.attemptedMetrics()))
            .addAllCommittedMetrics(MonitoringInfoBytes.encode(job.committedMetrics()));
    job.sourceWork()
        .forEach(
            (step, work) ->
                status.addSourceWork(
                    SourceWorkReport.newBuilder()
                        .setStep(step)
                        .setDone(work.done())
                        .setTotal(work.total())));
    if (failure != null) {
      status.setFailure(RemoteFailure.describe(failure));
    }
    return status.build();
  }

  /** Number of jobs this coordinator still knows (running, or ended within the retention). */
  int knownJobs() {
    return jobs.size();
  }

  /**
   * Waits until the job's teardown has run, which is when its end starts the retention: a status
   * says DONE a little before that.
   */
  boolean awaitTeardown(String jobId, long millis) throws InterruptedException {
    return job(jobId).await(millis);
  }

  private JobCoordinator job(String jobId) {
    JobCoordinator job = jobs.get(jobId);
    if (job == null) {
      throw Status.NOT_FOUND
          .withDescription(
              "No job with id "
                  + jobId
                  + " on this coordinator (an ended job is forgotten after "
                  + jobs.retention()
                  + ")")
          .asRuntimeException();
    }
    return job;
  }

  private void dropSilentWorkers() {
    for (RemoteWorker worker : workers.values()) {
      if (worker.millisSinceHeartbeat() > workerTimeoutMillis) {
        drop(worker, "missed its heartbeats");
      }
    }
  }

  /**
   * Something suggests a worker process died: a client connection closed, a call to a worker
   * found it unreachable, or a subtask failed. Queues a {@linkplain #probeWorkers probe}; returns
   * at once (it runs on gRPC threads).
   */
  private void suspectLostWorker() {
    if (closed.get() || !probeQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      sweeper.execute(this::probeWorkers);
    } catch (RejectedExecutionException e) {
      // Closing.
      probeQueued.set(false);
    }
  }

  /**
   * Drops every worker whose control port refuses a fresh connection: its process is gone, and
   * waiting for its heartbeat timeout would only hold up the restart of its jobs. All are probed
   * before any is dropped, in one go with the sweeper's other work.
   */
  private void probeWorkers() {
    // Cleared first: whatever is suspected from now on gets a probe of its own.
    probeQueued.set(false);
    List<RemoteWorker> dead = new ArrayList<>();
    for (RemoteWorker worker : liveWorkers()) {
      if (worker.refusesConnections(PROBE_DEADLINE_MILLIS)) {
        dead.add(worker);
      }
    }
    for (RemoteWorker worker : dead) {
      drop(worker, "refuses connections (its process is gone)");
    }
  }

  /** Removes {@code worker} and fails the subtasks it was running, so its jobs restart or fail. */
  private void drop(RemoteWorker worker, String why) {
    // Removed before its subtasks fail: a restart they set off is placed without it.
    if (workers.remove(worker.name(), worker)) {
      LOG.warn("Worker {} {}; dropping it", worker, why);
      worker.lost();
      worker.close();
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    WebServer webServer = web;
    if (webServer != null) {
      webServer.close();
    }
    sweeper.shutdownNow();
    deployer.shutdownNow();
    for (JobCoordinator job : jobs.all()) {
      job.cancel();
    }
    server.close();
    for (RemoteWorker worker : workers.values()) {
      worker.close();
    }
  }
}
