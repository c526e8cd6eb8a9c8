package dev.weir.runner.cluster;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.weir.runner.cluster.v1.GetJobStatus;
import dev.weir.runner.cluster.v1.JobServiceGrpc;
import dev.weir.runner.cluster.v1.JobState;
import dev.weir.runner.cluster.v1.JobStatus;
import dev.weir.runner.cluster.v1.SubmitJob;
import dev.weir.worker.control.ControlChannel;
import dev.weir.worker.security.ClusterSecurity;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * Issue 15 item 6: a worker process that registers under the name of a live worker does not fail
 * that worker's jobs (it is refused); one whose namesake's process is gone takes its place; the
 * same process registering again changes nothing.
 */
public class SameWorkerNameTest {
  private static final long TIMEOUT_MILLIS = 30_000;

  /** The stubs send no heartbeats: none may be missed within a test. */
  private final WeirClusterCoordinator coordinator =
      WeirClusterCoordinator.start(
          "127.0.0.1", 0, ClusterSecurity.plaintextInOneJvm(), TimeUnit.MINUTES.toMillis(30));
  private final String address = "127.0.0.1:" + coordinator.port();
  private final ControlChannel client = new ControlChannel(address);
  private final InProcessWorkerStub first = new InProcessWorkerStub(false);
  private final InProcessWorkerStub second = new InProcessWorkerStub(false);

  @After
  public void close() {
    client.close();
    coordinator.close();
    first.close();
    second.close();
  }

  @Test
  public void aSecondProcessUnderALiveWorkersNameIsRefusedAndTheJobGoesOn() throws Exception {
    SubmitJob job = InProcessWorkerStub.oneStageJob("job-1");
    first.register(address, "worker-a", "first-process");
    submit(job);
    first.nextDeployment();

    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () -> second.register(address, "worker-a", "second-process"));

    assertEquals(Status.Code.ALREADY_EXISTS, refused.getStatus().getCode());
    JobStatus status = status("job-1");
    assertEquals(JobState.JOB_STATE_RUNNING, status.getState());
    assertFalse(status.hasFailure());
    assertEquals(List.of(), first.cancelledJobs);
    assertTrue(first.heartbeatKnown());
    assertFalse(second.heartbeatKnown());
    assertEquals(List.of("worker-a"), coordinator.workerNames());
  }

  @Test
  public void aProcessTakesTheNameOfOneWhoseProcessIsGone() {
    first.register(address, "worker-a", "first-process");
    first.close();

    second.register(address, "worker-a", "second-process");

    assertTrue(second.heartbeatKnown());
    assertEquals(List.of("worker-a"), coordinator.workerNames());
  }

  @Test
  public void theSameProcessRegisteringAgainChangesNothing() throws Exception {
    SubmitJob job = InProcessWorkerStub.oneStageJob("job-1");
    first.register(address, "worker-a", "first-process");
    submit(job);
    first.nextDeployment();

    first.register(address, "worker-a", "first-process");

    assertEquals(JobState.JOB_STATE_RUNNING, status("job-1").getState());
    assertEquals(List.of(), first.cancelledJobs);
  }

  private void submit(SubmitJob job) {
    client.call(JobServiceGrpc.getSubmitMethod(), job, TIMEOUT_MILLIS);
  }

  private JobStatus status(String jobId) {
    return client.call(
        JobServiceGrpc.getGetStatusMethod(),
        GetJobStatus.newBuilder().setJobId(jobId).build(),
        TIMEOUT_MILLIS);
  }
}
