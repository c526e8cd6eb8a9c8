package dev.weir.worker.control;

import dev.weir.state.rocksdb.RocksDbStateBackendFactory;
import org.checkerframework.checker.nullness.qual.Nullable;
import dev.weir.worker.control.v1.ArtifactsGrpc;
import dev.weir.worker.control.v1.CoordinatorGrpc;
import dev.weir.worker.control.v1.FetchArtifactChunk;
import dev.weir.worker.control.v1.WorkerHeartbeat;
import dev.weir.worker.control.v1.WorkerRegistration;
import dev.weir.worker.exchange.ExchangeConfig;
import dev.weir.worker.exchange.GrpcDataExchange;
import dev.weir.worker.security.ClusterSecurity;
import dev.weir.worker.task.ResourceUse;
import dev.weir.worker.task.StateBackendFactory;
import dev.weir.worker.task.WorkerNode;
import dev.weir.worker.usercode.ArtifactCache;
import dev.weir.worker.usercode.JobClassLoaders;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Paths;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Weir worker as its own JVM. Start it with
 *
 * <pre>
 * java -cp WEIR_AND_USER_CLASSPATH dev.weir.worker.control.WorkerProcess \
 *     --coordinator=host:port --name=worker-1 --securityDir=DIR [--slots=1] [--bind=127.0.0.1] \
 *     [--progressReportMillis=3000] \
 *     [--artifactCacheDir=/path] [--artifactCacheMaxBytes=1073741824] \
 *     [--stateBackend=rocksdb|memory] [--stateDirectory=/path] \
 *     [--rocksDbBlockCacheMb=256] [--rocksDbWriteBufferMb=64] [--rocksDbReadCacheMb=16]
 * </pre>
 *
 * <p>It opens a data exchange endpoint and a control service on free ports of {@code --bind},
 * registers with the coordinator, runs the subtasks the coordinator deploys and reports their end.
 * A job submitted with staged jars runs in a class loader of its own ({@link JobClassLoaders})
 * over those jars, which the worker fetches from the coordinator over its control channel and
 * keeps in {@code --artifactCacheDir} (default {@code <java.io.tmpdir>/weir-artifacts}), named by
 * their SHA-256, up to {@code --artifactCacheMaxBytes} (default 1 GiB; the least recently used jars
 * that no running job uses are evicted above it, see {@link ArtifactCache}); a job that staged
 * nothing needs its classes on this process's classpath.
 * {@code --slots} (at least 1) goes to the coordinator with the registration: a slot holds one
 * subtask of each stage of a job, so the worker takes at most that many subtasks of any one stage
 * (see the coordinator's placement). Every {@code --progressReportMillis} (default 3000, at least
 * 100) the worker reports where its running subtasks are and what they have counted so far, for
 * the running job's metrics and the coordinator's no-progress check.
 * The process exits on SIGTERM, or when the coordinator has not answered its heartbeat for a few
 * seconds.
 *
 * <p>{@code --securityDir} holds the cluster's credentials ({@code weir-security init DIR}): the
 * worker's control and exchange servers accept only mutual-TLS calls with a certificate of the
 * cluster CA and the cluster secret, and it presents the same to the coordinator and to other
 * workers. {@code --insecure} turns TLS and authentication off instead (debugging only; logged as a
 * warning). Its ports listen on loopback unless {@code --bind} names another address.
 */
public final class WorkerProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerProcess.class);
  /**
   * Printed on stdout once registered, so scripts and tests can wait for it; the worker's name,
   * slots and addresses follow on the same line.
   */
  public static final String REGISTERED_MARKER = "WEIR_WORKER_REGISTERED";

  private static final long HEARTBEAT_MILLIS = 1_000;
  private static final long ARTIFACT_CHUNK_TIMEOUT_MILLIS = 60_000;
  private static final int MISSED_HEARTBEATS_BEFORE_EXIT = 5;
  private static final long REGISTER_RETRY_MILLIS = 15_000;
  private static final String PROGRESS_REPORT_MILLIS = "3000";
  private static final String ROCKSDB_BLOCK_CACHE_MB = "256";
  private static final String ROCKSDB_WRITE_BUFFER_MB = "64";
  private static final String ROCKSDB_READ_CACHE_MB = "16";

  private final String name;
  /** A fresh id per process start: tells this process from another one of the same name. */
  private final String incarnation = UUID.randomUUID().toString();
  private final ClusterSecurity security;
  private final int slots;
  private final ControlChannel coordinator;
  private final WorkerNode node;
  private final ControlServer control;
  private final AutoCloseable backends;
  // For the heartbeat's resources: the RocksDB backends (null with the heap backend) and where
  // state is kept.
  private final @Nullable RocksDbStateBackendFactory rocks;
  private final java.nio.file.Path stateDirectory;
  private final ScheduledExecutorService heartbeat;
  private final ProgressReporter progressReporter;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private int missedHeartbeats;

  private WorkerProcess(Map<String, String> args) {
    String coordinatorAddress = required(args, "coordinator");
    this.name = required(args, "name");
    this.slots = slots(args.getOrDefault("slots", "1"));
    // Checked before anything is started, so a bad value leaves nothing running.
    long progressReportMillis =
        atLeast(args, "progressReportMillis", PROGRESS_REPORT_MILLIS, 100);
    String bind = args.getOrDefault("bind", "127.0.0.1");
    // One security for the control server, the exchange and the channel to the coordinator.
    this.security = ClusterSecurity.fromArguments(args, "Weir worker " + name);
    this.coordinator = new ControlChannel(coordinatorAddress, security);
    StateBackendFactory backendFactory;
    if ("rocksdb".equals(args.getOrDefault("stateBackend", "rocksdb"))) {
      RocksDbStateBackendFactory rocks =
          new RocksDbStateBackendFactory(
              Paths.get(args.getOrDefault("stateDirectory", System.getProperty("java.io.tmpdir"))),
              megabytes(args, "rocksDbBlockCacheMb", ROCKSDB_BLOCK_CACHE_MB, 1),
              megabytes(args, "rocksDbWriteBufferMb", ROCKSDB_WRITE_BUFFER_MB, 1),
              megabytes(args, "rocksDbReadCacheMb", ROCKSDB_READ_CACHE_MB, 0));
      backendFactory = StateBackendFactory.rocksDb(rocks);
      this.backends = rocks;
      this.rocks = rocks;
      this.stateDirectory = rocks.stateDirectory();
    } else {
      backendFactory = StateBackendFactory.inMemory();
      this.backends = () -> {};
      this.rocks = null;
      this.stateDirectory = backendFactory.snapshotParent();
    }
    GrpcDataExchange exchange =
        GrpcDataExchange.start(bind, 0, ExchangeConfig.defaults(), security);
    ArtifactCache artifacts =
        new ArtifactCache(
            Paths.get(
                args.getOrDefault(
                    "artifactCacheDir",
                    Paths.get(System.getProperty("java.io.tmpdir"), "weir-artifacts").toString())),
            this::fetchArtifactChunk,
            artifactCacheMaxBytes(args),
            System::currentTimeMillis);
    this.node =
        new WorkerNode(
            name,
            exchange,
            backendFactory,
            Instant::now,
            new JobClassLoaders(WorkerProcess.class.getClassLoader(), artifacts));
    this.control =
        ControlServer.start(
            bind,
            0,
            security,
            () -> {},
            WorkerControlService.create(node, coordinator, incarnation));
    this.progressReporter =
        new ProgressReporter(
            node,
            coordinator,
            incarnation,
            progressReportMillis);
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "weir-worker-heartbeat");
              t.setDaemon(true);
              return t;
            });
  }

  /** A chunk of a staged artifact from the coordinator's Artifacts service. */
  private byte[] fetchArtifactChunk(String sha256, long offset, int maxBytes) {
    return coordinator
        .call(
            ArtifactsGrpc.getFetchMethod(),
            FetchArtifactChunk.newBuilder()
                .setSha256(sha256)
                .setOffset(offset)
                .setMaxBytes(maxBytes)
                .build(),
            ARTIFACT_CHUNK_TIMEOUT_MILLIS)
        .getData()
        .toByteArray();
  }

  /**
   * A worker inside the calling JVM, registered and heartbeating (tests that look into a worker:
   * its loaded classes, its job loaders); {@code args} as on the command line, without dashes.
   * Close it to stop it.
   */
  public static WorkerProcess startInThisJvm(Map<String, String> args)
      throws InterruptedException {
    WorkerProcess worker = new WorkerProcess(args);
    worker.register();
    worker.startHeartbeat();
    return worker;
  }

  /** The node that runs this worker's subtasks. */
  public WorkerNode node() {
    return node;
  }

  /** Entry point; see the class comment for the arguments. */
  public static void main(String[] argv) throws Exception {
    WorkerProcess worker = new WorkerProcess(LaunchArguments.parse(argv));
    Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "weir-worker-shutdown"));
    worker.register();
    System.out.println(
        REGISTERED_MARKER
            + " "
            + worker.name
            + " slots="
            + worker.slots
            + " control="
            + worker.control.address()
            + " exchange="
            + worker.node.exchangeAddress()
            + " coordinator="
            + worker.coordinator.target());
    System.out.flush();
    worker.startHeartbeat();
    worker.progressReporter.start();
    worker.stopped.await();
    worker.close();
    System.exit(0);
  }

  private void register() throws InterruptedException {
    WorkerRegistration registration =
        WorkerRegistration.newBuilder()
            .setName(name)
            .setExchangeAddress(node.exchangeAddress())
            .setControlAddress(control.address())
            .setIncarnation(incarnation)
            .setSlots(slots)
            .build();
    long deadline = System.currentTimeMillis() + REGISTER_RETRY_MILLIS;
    while (true) {
      try {
        coordinator.call(CoordinatorGrpc.getRegisterMethod(), registration, 5_000);
        LOG.info(
            "Registered {} ({} slots, exchange {}, control {}) with the coordinator at {}",
            name,
            slots,
            registration.getExchangeAddress(),
            registration.getControlAddress(),
            coordinator.target());
        return;
      } catch (StatusRuntimeException e) {
        String refusal = security.explainRefusal(e);
        if (refusal != null) {
          // Retrying cannot help: the credentials will not change.
          close();
          throw new IllegalStateException(
              "The Weir coordinator at --coordinator="
                  + coordinator.target()
                  + " and this worker: "
                  + refusal,
              e);
        }
        // Refused (another live worker has this name): retrying will not help either.
        if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS
            || System.currentTimeMillis() > deadline) {
          close();
          throw new IllegalStateException(
              "Cannot register with the Weir coordinator at --coordinator="
                  + coordinator.target()
                  + ": "
                  + e.getStatus(),
              e);
        }
        Thread.sleep(200);
      }
    }
  }

  private void startHeartbeat() {
    heartbeat.scheduleWithFixedDelay(
        this::beat, HEARTBEAT_MILLIS, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void beat() {
    boolean known;
    try {
      known =
          coordinator
              .call(
                  CoordinatorGrpc.getHeartbeatMethod(),
                  WorkerHeartbeat.newBuilder()
                      .setWorkerName(name)
                      .setIncarnation(incarnation)
                      .setResources(
                          TaskMessages.resources(ResourceUse.read(stateDirectory, rocks)))
                      .build(),
                  HEARTBEAT_MILLIS * 2)
              .getKnown();
    } catch (StatusRuntimeException e) {
      known = false;
    }
    missedHeartbeats = known ? 0 : missedHeartbeats + 1;
    if (missedHeartbeats >= MISSED_HEARTBEATS_BEFORE_EXIT) {
      LOG.warn("The coordinator at {} is gone; stopping worker {}", coordinator.target(), name);
      stopped.countDown();
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    heartbeat.shutdownNow();
    progressReporter.close();
    control.close();
    node.close();
    coordinator.close();
    try {
      backends.close();
    } catch (Exception e) {
      LOG.warn("Cannot release the state backends of {}", name, e);
    }
    stopped.countDown();
  }



  /** {@code --artifactCacheMaxBytes}: a whole number of bytes, at least 0. */
  private static long artifactCacheMaxBytes(Map<String, String> args) {
    String value =
        args.getOrDefault("artifactCacheMaxBytes", Long.toString(ArtifactCache.DEFAULT_MAX_BYTES));
    try {
      long bytes = Long.parseLong(value);
      if (bytes >= 0) {
        return bytes;
      }
    } catch (NumberFormatException e) {
      // Refused below.
    }
    throw new IllegalArgumentException(
        "--artifactCacheMaxBytes must be a whole number of bytes, at least 0, got '" + value + "'");
  }

  private static long megabytes(
      Map<String, String> args, String key, String defaultValue, int atLeast) {
    String value = args.getOrDefault(key, defaultValue);
    long mb;
    try {
      mb = Long.parseLong(value);
    } catch (NumberFormatException e) {
      mb = -1;
    }
    if (mb < atLeast) {
      throw new IllegalArgumentException(
          "--" + key + " must be a whole number of MiB, at least " + atLeast + ", got '" + value
              + "'");
    }
    return mb << 20;
  }

  private static long atLeast(
      Map<String, String> args, String key, String defaultValue, long atLeast) {
    String value = args.getOrDefault(key, defaultValue);
    long parsed;
    try {
      parsed = Long.parseLong(value);
    } catch (NumberFormatException e) {
      parsed = atLeast - 1;
    }
    if (parsed < atLeast) {
      throw new IllegalArgumentException(
          "--" + key + " must be a whole number, at least " + atLeast + ", got '" + value + "'");
    }
    return parsed;
  }

  private static int slots(String value) {
    int slots;
    try {
      slots = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      slots = 0;
    }
    if (slots < 1) {
      throw new IllegalArgumentException(
          "--slots must be a whole number, at least 1, got '" + value + "'");
    }
    return slots;
  }

  private static String required(Map<String, String> args, String key) {
    String value = args.get(key);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("--" + key + " is required");
    }
    return value;
  }
}
