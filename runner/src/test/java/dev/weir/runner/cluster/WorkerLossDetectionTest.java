package dev.weir.runner.cluster;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import org.junit.rules.Timeout;

/**
 * A worker process that dies is noticed from its closed connections, not only from missed
 * heartbeats: with the heartbeat timeout set far beyond the test's bounds, the coordinator still
 * drops a killed worker; and a worker that is merely paused (as in a long GC pause) is not dropped
 * by that, since the probe a closed connection sets off finds it still accepting connections.
 */
public class WorkerLossDetectionTest {
  /**
   * Far beyond every wait below: a worker dropped within them was not dropped by its heartbeats.
   */
  private static final long HEARTBEAT_TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(30);

  /** Generous for a loaded machine; the heartbeat timeout used to be 10 s. */
  private static final long DROP_BOUND_MILLIS = 60_000;

  @Rule public Timeout timeout = Timeout.seconds(300);
  @Rule public TestName test = new TestName();

  private LocalProcessCluster cluster;

  private LocalProcessCluster start(String... workers) throws Exception {
    cluster =
        LocalProcessCluster.withCoordinatorInThisJvm(
            Paths.get("target/worker-loss-detection", test.getMethodName()),
            HEARTBEAT_TIMEOUT_MILLIS);
    for (String worker : workers) {
      cluster.startWorker(worker);
    }
    return cluster;
  }

  @After
  public void stop() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  public void aKilledWorkerIsDroppedWithoutWaitingForItsHeartbeatTimeout() throws Exception {
    start("worker-a", "worker-b");
    WeirClusterCoordinator coordinator = cluster.coordinatorInThisJvm();

    cluster.killWorker("worker-a");

    assertTrue(
        "worker-a should be dropped soon after its process died, was still registered after "
            + DROP_BOUND_MILLIS
            + " ms",
        waitUntil(() -> !coordinator.workerNames().contains("worker-a")));
    assertTrue(coordinator.workerNames().contains("worker-b"));
  }

  @Test
  public void aPausedWorkerIsNotDroppedWhenAnotherOneDies() throws Exception {
    start("worker-a", "worker-b");
    WeirClusterCoordinator coordinator = cluster.coordinatorInThisJvm();
    cluster.pauseWorker("worker-b");
    try {
      cluster.killWorker("worker-a");

      assertTrue(
          "worker-a should be dropped soon after its process died",
          waitUntil(() -> !coordinator.workerNames().contains("worker-a")));
      // The probe that dropped worker-a asked every worker, worker-b among them, before dropping
      // any: a paused process does not answer but its port still takes connections.
      assertTrue(
          "a paused worker must not be taken for a dead one: " + coordinator.workerNames(),
          coordinator.workerNames().contains("worker-b"));
    } finally {
      cluster.resumeWorker("worker-b");
    }
    assertFalse(coordinator.workerNames().contains("worker-a"));
  }

  private static boolean waitUntil(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + DROP_BOUND_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return condition.getAsBoolean();
  }
}
