package dev.weir.runner;

import dev.weir.state.memory.InMemoryKeyedStateBackend;
import dev.weir.worker.exchange.ExchangeConfig;
import dev.weir.worker.exchange.GrpcDataExchange;
import dev.weir.worker.task.StateBackendFactory;
import dev.weir.worker.task.WorkerNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.joda.time.Instant;

/**
 * Workers started inside this JVM, for one job. They exchange data over real gRPC on loopback, the
 * same code a cluster of separate worker processes uses.
 */
final class EmbeddedCluster implements AutoCloseable {
  private final List<WorkerNode> workers;

  private EmbeddedCluster(List<WorkerNode> workers) {
    this.workers = workers;
  }

  static EmbeddedCluster start(int numWorkers, Supplier<Instant> clock) {
    StateBackendFactory backends = (task, operator, range) -> new InMemoryKeyedStateBackend(range);
    List<WorkerNode> workers = new ArrayList<>();
    try {
      for (int i = 0; i < numWorkers; i++) {
        GrpcDataExchange exchange = GrpcDataExchange.start(0, ExchangeConfig.defaults());
        workers.add(new WorkerNode("worker-" + i, exchange, backends, clock));
      }
    } catch (RuntimeException e) {
      for (WorkerNode w : workers) {
        w.close();
      }
      throw e;
    }
    return new EmbeddedCluster(Collections.unmodifiableList(workers));
  }

  List<WorkerNode> workers() {
    return workers;
  }

  @Override
  public void close() {
    for (WorkerNode worker : workers) {
      worker.close();
    }
  }
}
