package dev.weir.runner;

import dev.weir.state.rocksdb.RocksDbStateBackendFactory;
import dev.weir.worker.exchange.ExchangeConfig;
import dev.weir.worker.exchange.GrpcDataExchange;
import dev.weir.worker.security.ClusterSecurity;
import dev.weir.worker.task.ResourceUse;
import dev.weir.worker.task.StateBackendFactory;
import dev.weir.worker.task.WorkerNode;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Workers started inside this JVM, for one job: one by default, whose subtasks hand data to each
 * other in memory; with more (--embeddedWorkers) they exchange data over real gRPC on loopback, the
 * same code a cluster of separate worker processes uses. Each worker has its own state backend
 * factory (for RocksDB: its own directory, block cache and write-buffer budget).
 */
final class EmbeddedCluster implements AutoCloseable {
  private final List<WorkerNode> workers;
  private final List<AutoCloseable> resources;
  // For the web's workers/{id}: each worker's backends, and the RocksDB factory behind them.
  private final Map<String, StateBackendFactory> stateOf = new ConcurrentHashMap<>();
  private final Map<StateBackendFactory, RocksDbStateBackendFactory> rocksOf =
      new ConcurrentHashMap<>();

  private EmbeddedCluster(List<WorkerNode> workers, List<AutoCloseable> resources) {
    this.workers = workers;
    this.resources = resources;
  }

  /**
   * The subtasks {@code workers} embedded workers take side by side: one per core of this machine,
   * split evenly over the workers, at least one each. As a local Flink cluster runs one slot per
   * core: the embedded cluster shares this JVM's cores, so more subtasks than cores only take
   * turns.
   */
  static int slots(int workers) {
    return slots(workers, Runtime.getRuntime().availableProcessors());
  }

  static int slots(int workers, int cores) {
    return workers * Math.max(1, cores / workers);
  }

  static EmbeddedCluster start(
      WeirPipelineOptions options, CheckedOptions checked, Supplier<Instant> clock) {
    List<WorkerNode> workers = new ArrayList<>();
    List<AutoCloseable> resources = new ArrayList<>();
    EmbeddedCluster cluster = new EmbeddedCluster(Collections.unmodifiableList(workers), resources);
    try {
      // Credentials made in memory, shared by this JVM's embedded clusters only.
      ClusterSecurity security =
          options.isInsecure()
              ? ClusterSecurity.insecure("The embedded Weir cluster")
              : ClusterSecurity.embedded();
      for (int i = 0; i < options.getEmbeddedWorkers(); i++) {
        StateBackendFactory backends = backendFactory(options, checked, resources, cluster.rocksOf);
        GrpcDataExchange exchange = GrpcDataExchange.start(0, ExchangeConfig.defaults(), security);
        String name = "worker-" + i;
        workers.add(new WorkerNode(name, exchange, backends, clock));
        cluster.stateOf.put(name, backends);
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private static StateBackendFactory backendFactory(
      WeirPipelineOptions options,
      CheckedOptions checked,
      List<AutoCloseable> resources,
      Map<StateBackendFactory, RocksDbStateBackendFactory> rocksOf) {
    if (checked.rocksDb()) {
      Path parent =
          options.getStateDirectory() != null
              ? Paths.get(options.getStateDirectory())
              : Paths.get(System.getProperty("java.io.tmpdir"));
      RocksDbStateBackendFactory factory =
          new RocksDbStateBackendFactory(
              parent,
              (long) options.getRocksDbBlockCacheMb() << 20,
              (long) options.getRocksDbWriteBufferMb() << 20,
              (long) options.getRocksDbReadCacheMb() << 20);
      resources.add(factory);
      StateBackendFactory backends = StateBackendFactory.rocksDb(factory);
      rocksOf.put(backends, factory);
      return backends;
    }
    return StateBackendFactory.inMemory();
  }

  List<WorkerNode> workers() {
    return workers;
  }

  /**
   * Worker {@code name}'s resources now: this JVM's heap, the disk of its state directory, its
   * RocksDB backends' memory; null for a name not of this cluster.
   */
  @Nullable ResourceUse resourcesOf(String name) {
    StateBackendFactory backends = stateOf.get(name);
    if (backends == null) {
      return null;
    }
    return ResourceUse.read(backends.snapshotParent(), rocksOf.get(backends));
  }

  @Override
  public void close() {
    for (WorkerNode worker : workers) {
      worker.close();
    }
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        throw new IllegalStateException("Cannot release " + resource, e);
      }
    }
  }
}
