package dev.weir.runner;

import dev.weir.runner.cluster.JobMethods;
import dev.weir.runner.cluster.JobStatus;
import dev.weir.runner.cluster.JobSubmission;
import dev.weir.translation.ExecutionPlan;
import dev.weir.worker.control.ControlChannel;
import dev.weir.worker.security.ClusterSecurity;
import dev.weir.worker.task.TaskId;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.SerializableUtils;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A job submitted to a remote coordinator ({@code --weirMaster}). Its state, failure and metrics
 * are polled; once the job has ended the last status is kept and the connection closed.
 */
final class ClusterJob implements JobHandle {
  private static final long SUBMIT_TIMEOUT_MILLIS = 60_000;
  private static final long STATUS_TIMEOUT_MILLIS = 30_000;
  private static final long POLL_MILLIS = 100;
  /** How long the coordinator may stay unreachable before the job counts as lost. */
  private static final long LOST_AFTER_MILLIS = 30_000;

  private final String master;
  private final String jobId;
  private final ControlChannel channel;
  private @Nullable JobStatus lastStatus;
  private boolean ended;

  private ClusterJob(String master, String jobId, ControlChannel channel) {
    this.master = master;
    this.jobId = jobId;
    this.channel = channel;
  }

  /** Sends the job to the coordinator at {@code master}; throws if it cannot be reached. */
  static ClusterJob submit(
      String master, String jobId, ExecutionPlan plan, PipelineOptions options) {
    WeirPipelineOptions weirOptions = options.as(WeirPipelineOptions.class);
    ClusterSecurity security =
        weirOptions.isInsecure()
            ? ClusterSecurity.insecure("This client of --weirMaster=" + master)
            : ClusterSecurity.fromDirectory(Paths.get(weirOptions.getSecurityDir()));
    ControlChannel channel = new ControlChannel(master, security);
    JobSubmission submission =
        new JobSubmission(
            jobId,
            SerializableUtils.serializeToByteArray(plan),
            new SerializablePipelineOptions(options));
    try {
      channel.call(JobMethods.SUBMIT, submission, SUBMIT_TIMEOUT_MILLIS);
    } catch (StatusRuntimeException e) {
      channel.close();
      String refusal = security.explainRefusal(e);
      if (refusal != null) {
        throw new IllegalStateException(
            "The Weir coordinator at --weirMaster=" + master + " and this client: " + refusal, e);
      }
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
        throw new IllegalStateException(
            "Cannot reach the Weir coordinator at --weirMaster=" + master + ": " + e.getStatus(),
            e);
      }
      throw new IllegalStateException(
          "The Weir coordinator at --weirMaster="
              + master
              + " did not accept the job: "
              + e.getStatus().getDescription(),
          e);
    }
    return new ClusterJob(master, jobId, channel);
  }

  /** The latest status; asks the coordinator unless the job has ended. Null if unreachable. */
  private synchronized @Nullable JobStatus poll() {
    if (ended) {
      return lastStatus;
    }
    try {
      lastStatus = channel.call(JobMethods.STATUS, jobId, STATUS_TIMEOUT_MILLIS);
    } catch (StatusRuntimeException e) {
      return null;
    }
    if (lastStatus.state().isTerminal()) {
      ended = true;
      channel.close();
    }
    return lastStatus;
  }

  private synchronized void markLost() {
    if (!ended) {
      lastStatus =
          new JobStatus(
              PipelineResult.State.UNKNOWN,
              new IllegalStateException(
                  "Lost contact with the Weir coordinator at --weirMaster="
                      + master
                      + " while job "
                      + jobId
                      + " was running"),
              lastStatus == null ? new MetricsContainerStepMap() : lastStatus.attemptedMetrics(),
              lastStatus == null ? new MetricsContainerStepMap() : lastStatus.committedMetrics());
      ended = true;
      channel.close();
    }
  }

  @Override
  public PipelineResult.State state() {
    JobStatus status = poll();
    return status == null ? PipelineResult.State.UNKNOWN : status.state();
  }

  @Override
  public synchronized @Nullable Throwable failure() {
    return lastStatus == null ? null : lastStatus.failure();
  }

  @Override
  public MetricsContainerStepMap attemptedMetrics() {
    JobStatus status = poll();
    return status == null ? new MetricsContainerStepMap() : status.attemptedMetrics();
  }

  @Override
  public MetricsContainerStepMap committedMetrics() {
    JobStatus status = poll();
    return status == null ? new MetricsContainerStepMap() : status.committedMetrics();
  }

  @Override
  public void cancel() {
    synchronized (this) {
      if (ended) {
        return;
      }
    }
    try {
      channel.call(JobMethods.CANCEL, jobId, STATUS_TIMEOUT_MILLIS);
    } catch (StatusRuntimeException e) {
      throw new IllegalStateException(
          "Cannot cancel job " + jobId + " on the coordinator at --weirMaster=" + master, e);
    }
  }

  @Override
  public boolean await(long millis) throws InterruptedException {
    long deadline = millis < 0 ? Long.MAX_VALUE : System.currentTimeMillis() + millis;
    long unreachableSince = -1;
    while (true) {
      JobStatus status = poll();
      long now = System.currentTimeMillis();
      if (status == null) {
        unreachableSince = unreachableSince < 0 ? now : unreachableSince;
        if (now - unreachableSince > LOST_AFTER_MILLIS) {
          markLost();
          return true;
        }
      } else {
        unreachableSince = -1;
        if (status.state().isTerminal()) {
          return true;
        }
      }
      if (now >= deadline) {
        return false;
      }
      Thread.sleep(Math.min(POLL_MILLIS, deadline - now));
    }
  }

  @Override
  public Map<TaskId, String> placement() {
    throw new UnsupportedOperationException(
        "placement is not reported by a remote Weir cluster (--weirMaster) yet");
  }

  @Override
  public long elementsBetweenWorkers() {
    throw new UnsupportedOperationException(
        "elementsBetweenWorkers is not reported by a remote Weir cluster (--weirMaster) yet");
  }

  @Override
  public List<CheckpointStats> checkpoints() {
    throw new UnsupportedOperationException(
        "checkpoints are not reported by a remote Weir cluster (--weirMaster) yet");
  }

  @Override
  public List<JobRestart> restarts() {
    throw new UnsupportedOperationException(
        "restarts are not reported by a remote Weir cluster (--weirMaster) yet");
  }

  @Override
  public String savepoint(@Nullable String uri) {
    throw new UnsupportedOperationException(
        "savepoints of a job on a remote Weir cluster (--weirMaster) are not supported yet"
            + " (issue 13, item 9)");
  }
}
