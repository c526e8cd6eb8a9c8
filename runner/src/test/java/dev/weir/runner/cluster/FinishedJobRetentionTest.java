package dev.weir.runner.cluster;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import dev.weir.runner.JobCoordinator;
import dev.weir.runner.cluster.v1.GetJobStatus;
import dev.weir.runner.cluster.v1.JobServiceGrpc;
import dev.weir.runner.cluster.v1.JobState;
import dev.weir.runner.cluster.v1.JobStatus;
import dev.weir.runner.cluster.v1.SubmitJob;
import dev.weir.worker.control.ControlChannel;
import dev.weir.worker.security.ClusterSecurity;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.After;
import org.junit.Test;

/**
 * The coordinator's registry of jobs is bounded: a job that ended stays readable for the retention
 * period and is forgotten after it; a running job is never forgotten. Time comes from a clock the
 * test moves.
 */
public class FinishedJobRetentionTest {
  private static final long TIMEOUT_MILLIS = 30_000;
  private static final Duration RETENTION = Duration.ofMinutes(10);

  private final AtomicLong now = new AtomicLong(1_000_000);
  private WeirClusterCoordinator coordinator;
  private ControlChannel client;
  private InProcessWorkerStub worker;

  @After
  public void close() {
    if (client != null) {
      client.close();
    }
    if (coordinator != null) {
      coordinator.close();
    }
    if (worker != null) {
      worker.close();
    }
  }

  @Test
  public void anEndedJobIsForgottenOnceItsRetentionHasPassed() throws Exception {
    SubmitJob job = InProcessWorkerStub.oneStageJob("job-1");
    coordinator =
        WeirClusterCoordinator.start(
            "127.0.0.1",
            0,
            ClusterSecurity.plaintextInOneJvm(),
            TimeUnit.MINUTES.toMillis(30),
            RETENTION,
            now::get);
    String address = "127.0.0.1:" + coordinator.port();
    client = new ControlChannel(address);
    // Reports each subtask finished as soon as it is deployed: the job ends at once.
    worker = new InProcessWorkerStub(true);
    worker.register(address, "worker-a", "process-1");
    client.call(JobServiceGrpc.getSubmitMethod(), job, TIMEOUT_MILLIS);
    awaitState("job-1", JobState.JOB_STATE_DONE);

    now.addAndGet(RETENTION.toMillis() - 1);
    assertEquals(JobState.JOB_STATE_DONE, status("job-1").getState());

    now.addAndGet(1);
    StatusRuntimeException forgotten =
        assertThrows(StatusRuntimeException.class, () -> status("job-1"));
    assertEquals(Status.Code.NOT_FOUND, forgotten.getStatus().getCode());
    assertEquals(0, coordinator.knownJobs());
  }

  @Test
  public void theRegistryForgetsEndedJobsOnlyAndRefusesAKnownId() {
    JobRegistry registry = new JobRegistry(RETENTION, now::get);
    JobCoordinator running = new JobCoordinator("running", null, List.of(), () -> {});
    JobCoordinator ended = new JobCoordinator("ended", null, List.of(), () -> {});
    registry.add("running", running);
    registry.add("ended", ended);
    registry.ended("ended");

    now.addAndGet(RETENTION.toMillis() * 100);
    registry.forgetExpired();

    assertNotNull(registry.get("running"));
    assertNull(registry.get("ended"));
    assertEquals(1, registry.size());
    assertThrows(IllegalArgumentException.class, () -> registry.add("running", running));
    // A forgotten id may be used again.
    registry.add("ended", ended);
    assertNotNull(registry.get("ended"));
  }

  private void awaitState(String jobId, JobState expected) throws InterruptedException {
    long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
    JobState state = status(jobId).getState();
    while (state != expected && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
      state = status(jobId).getState();
    }
    assertEquals(expected, state);
  }

  private JobStatus status(String jobId) {
    return client.call(
        JobServiceGrpc.getGetStatusMethod(),
        GetJobStatus.newBuilder().setJobId(jobId).build(),
        TIMEOUT_MILLIS);
  }
}
