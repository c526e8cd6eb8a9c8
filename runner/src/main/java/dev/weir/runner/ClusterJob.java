package dev.weir.runner;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import dev.weir.runner.cluster.v1.ArtifactList;
import dev.weir.runner.cluster.v1.ArtifactUpload;
import dev.weir.runner.cluster.v1.ClusterSlots;
import dev.weir.runner.cluster.v1.GetJobStatus;
import dev.weir.runner.cluster.v1.JobServiceGrpc;
import dev.weir.runner.cluster.v1.JobState;
import dev.weir.runner.cluster.v1.JobStatus;
import dev.weir.runner.cluster.v1.SubmitJob;
import dev.weir.translation.ExecutionPlan;
import dev.weir.worker.control.ControlChannel;
import dev.weir.worker.control.RemoteFailure;
import dev.weir.worker.control.TaskMessages;
import dev.weir.worker.control.v1.CancelJobRequest;
import dev.weir.worker.control.v1.Failure;
import dev.weir.worker.control.v1.SourceWorkReport;
import dev.weir.worker.operators.SourceWork;
import dev.weir.worker.security.ClusterSecurity;
import dev.weir.worker.task.MonitoringInfoBytes;
import dev.weir.worker.task.TaskId;
import dev.weir.worker.usercode.JobArtifact;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.common.ReflectHelpers;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job submitted to a remote coordinator ({@code --master}/{@code --weirMaster}) over the job
 * service of {@code weir_job_service.proto}. The job's jars ({@link JobJars}) are staged first
 * (only those the coordinator does not hold yet are uploaded), then the job goes as its {@link
 * JobTopology}: the coordinator needs none of its classes. Its state, failure and metrics are
 * polled; once the job has ended the last status is kept and the connection closed.
 *
 * <p>A failure arrives described; this client, which submitted the job and trusts its classes,
 * decodes the user's own exception from it when it carries one ({@link RemoteFailure#rethrowable}),
 * so the user sees the exception type their code threw.
 */
final class ClusterJob implements JobHandle {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterJob.class);
  private static final long SUBMIT_TIMEOUT_MILLIS = 60_000;
  private static final int UPLOAD_CHUNK_BYTES = 4 << 20;
  private static final long STATUS_TIMEOUT_MILLIS = 30_000;
  private static final long POLL_MILLIS = 100;
  /** How long the coordinator may stay unreachable before the job counts as lost. */
  private static final long LOST_AFTER_MILLIS = 30_000;

  private final String master;
  private final String jobId;
  private final ControlChannel channel;
  private @Nullable Status lastStatus;
  private boolean ended;

  private ClusterJob(String master, String jobId, ControlChannel channel) {
    this.master = master;
    this.jobId = jobId;
    this.channel = channel;
  }

  private static ClusterSecurity security(String master, WeirPipelineOptions weirOptions) {
    return weirOptions.isInsecure()
        ? ClusterSecurity.insecure("This client of --weirMaster=" + master)
        : ClusterSecurity.fromDirectory(Paths.get(weirOptions.getSecurityDir()));
  }

  /**
   * The slots of the workers registered with the coordinator at {@code master} now, for the
   * default {@code --parallelism}; throws if it cannot be reached or has no worker.
   */
  static int registeredSlots(String master, PipelineOptions options) {
    ClusterSecurity security = security(master, options.as(WeirPipelineOptions.class));
    ControlChannel channel = new ControlChannel(master, security);
    ClusterSlots slots;
    try {
      slots =
          channel.call(
              JobServiceGrpc.getGetClusterSlotsMethod(),
              Empty.getDefaultInstance(),
              STATUS_TIMEOUT_MILLIS);
    } catch (StatusRuntimeException e) {
      throw refused(master, security, e, "did not tell its workers' slots (for --parallelism=-1)");
    } finally {
      channel.close();
    }
    if (slots.getSlots() < 1) {
      throw new IllegalStateException(
          "No worker has registered with the Weir coordinator at --weirMaster="
              + master
              + " yet: the default --parallelism (-1) uses the registered workers' slots");
    }
    return slots.getSlots();
  }

  /** Sends the job to the coordinator at {@code master}; throws if it cannot be reached. */
  static ClusterJob submit(
      String master, String jobId, ExecutionPlan plan, PipelineOptions options) {
    WeirPipelineOptions weirOptions = options.as(WeirPipelineOptions.class);
    ClusterSecurity security = security(master, weirOptions);
    List<JobArtifact> artifacts = new ArrayList<>();
    List<Path> files;
    try {
      files = JobJars.toStage(plan, weirOptions.getFilesToStage());
      for (Path file : files) {
        artifacts.add(JobArtifact.of(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the jars to stage for job " + jobId, e);
    }
    SubmitJob.Builder submission =
        SubmitJob.newBuilder()
            .setJobId(jobId)
            .setTopology(JobTopology.of(plan).toProto())
            // SerializablePipelineOptions' text is the options' JSON.
            .setPipelineOptionsJson(new SerializablePipelineOptions(options).toString());
    for (JobArtifact artifact : artifacts) {
      submission.addArtifacts(TaskMessages.artifact(artifact));
    }
    ControlChannel channel = new ControlChannel(master, security);
    try {
      stage(channel, files, artifacts);
      channel.call(JobServiceGrpc.getSubmitMethod(), submission.build(), SUBMIT_TIMEOUT_MILLIS);
    } catch (StatusRuntimeException e) {
      channel.close();
      throw refused(master, security, e, "did not accept the job");
    }
    return new ClusterJob(master, jobId, channel);
  }

  /** Why a call to the coordinator failed: credentials, no answer, or the coordinator's reason. */
  private static IllegalStateException refused(
      String master, ClusterSecurity security, StatusRuntimeException e, String what) {
    String refusal = security.explainRefusal(e);
    if (refusal != null) {
      return new IllegalStateException(
          "The Weir coordinator at --weirMaster=" + master + " and this client: " + refusal, e);
    }
    io.grpc.Status.Code code = e.getStatus().getCode();
    if (code == io.grpc.Status.Code.UNAVAILABLE || code == io.grpc.Status.Code.DEADLINE_EXCEEDED) {
      return new IllegalStateException(
          "Cannot reach the Weir coordinator at --weirMaster=" + master + ": " + e.getStatus(), e);
    }
    return new IllegalStateException(
        "The Weir coordinator at --weirMaster="
            + master
            + " "
            + what
            + ": "
            + e.getStatus().getDescription(),
        e);
  }

  /** Uploads those of the job's {@code artifacts} (read from {@code files}) the coordinator lacks. */
  private static void stage(ControlChannel channel, List<Path> files, List<JobArtifact> artifacts) {
    if (artifacts.isEmpty()) {
      return;
    }
    ArtifactList.Builder all = ArtifactList.newBuilder();
    for (JobArtifact artifact : artifacts) {
      all.addArtifacts(TaskMessages.artifact(artifact));
    }
    List<JobArtifact> missing =
        TaskMessages.artifacts(
            channel
                .call(JobServiceGrpc.getMissingArtifactsMethod(), all.build(), SUBMIT_TIMEOUT_MILLIS)
                .getArtifactsList());
    for (JobArtifact artifact : missing) {
      Path file = files.get(artifacts.indexOf(artifact));
      String uploadId = UUID.randomUUID().toString();
      try (InputStream in = Files.newInputStream(file)) {
        long offset = 0;
        byte[] buffer = new byte[UPLOAD_CHUNK_BYTES];
        while (true) {
          int n = in.readNBytes(buffer, 0, buffer.length);
          boolean last = offset + n >= artifact.size();
          channel.call(
              JobServiceGrpc.getUploadArtifactMethod(),
              ArtifactUpload.newBuilder()
                  .setUploadId(uploadId)
                  .setArtifact(TaskMessages.artifact(artifact))
                  .setOffset(offset)
                  .setData(ByteString.copyFrom(buffer, 0, n))
                  .setLast(last)
                  .build(),
              SUBMIT_TIMEOUT_MILLIS);
          offset += n;
          if (last) {
            break;
          }
          if (n == 0) {
            throw new IllegalStateException(file + " changed while it was staged");
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + file + " to stage it", e);
      }
      LOG.info("Staged {} to the coordinator", artifact);
    }
  }

  /** The latest status; asks the coordinator unless the job has ended. Null if unreachable. */
  private synchronized @Nullable Status poll() {
    if (ended) {
      return lastStatus;
    }
    JobStatus reply;
    try {
      reply =
          channel.call(
              JobServiceGrpc.getGetStatusMethod(),
              GetJobStatus.newBuilder().setJobId(jobId).build(),
              STATUS_TIMEOUT_MILLIS);
    } catch (StatusRuntimeException e) {
      return null;
    }
    lastStatus = Status.of(reply, lastStatus);
    if (lastStatus.state().isTerminal()) {
      ended = true;
      channel.close();
    }
    return lastStatus;
  }

  private synchronized void markLost() {
    if (!ended) {
      lastStatus =
          new Status(
              PipelineResult.State.UNKNOWN,
              new IllegalStateException(
                  "Lost contact with the Weir coordinator at --weirMaster="
                      + master
                      + " while job "
                      + jobId
                      + " was running"),
              lastStatus == null ? new MetricsContainerStepMap() : lastStatus.attemptedMetrics(),
              lastStatus == null ? new MetricsContainerStepMap() : lastStatus.committedMetrics(),
              lastStatus == null ? Map.of() : lastStatus.sourceWork(),
              null);
      ended = true;
      channel.close();
    }
  }

  @Override
  public PipelineResult.State state() {
    Status status = poll();
    return status == null ? PipelineResult.State.UNKNOWN : status.state();
  }

  @Override
  public synchronized @Nullable Throwable failure() {
    return lastStatus == null ? null : lastStatus.failure();
  }

  @Override
  public MetricsContainerStepMap attemptedMetrics() {
    Status status = poll();
    return status == null ? new MetricsContainerStepMap() : status.attemptedMetrics();
  }

  @Override
  public MetricsContainerStepMap committedMetrics() {
    Status status = poll();
    return status == null ? new MetricsContainerStepMap() : status.committedMetrics();
  }

  @Override
  public Map<String, SourceWork> sourceWork() {
    Status status = poll();
    return status == null ? Map.of() : status.sourceWork();
  }

  @Override
  public void cancel() {
    synchronized (this) {
      if (ended) {
        return;
      }
    }
    try {
      channel.call(
          JobServiceGrpc.getCancelMethod(),
          CancelJobRequest.newBuilder().setJobId(jobId).build(),
          STATUS_TIMEOUT_MILLIS);
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
      Status status = poll();
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

  /** A job's state, failure and metrics as the client keeps them. */
  private record Status(
      PipelineResult.State state,
      @Nullable Throwable failure,
      MetricsContainerStepMap attemptedMetrics,
      MetricsContainerStepMap committedMetrics,
      Map<String, SourceWork> sourceWork,
      @Nullable Failure describedFailure) {

    /**
     * The status {@code reply} holds; its failure is decoded (with the job's classes: the loader
     * Beam finds user classes with) when it differs from {@code previous}'s.
     */
    static Status of(JobStatus reply, @Nullable Status previous) {
      Failure described = reply.hasFailure() ? reply.getFailure() : null;
      Throwable failure;
      if (described == null) {
        failure = null;
      } else if (previous != null && described.equals(previous.describedFailure)) {
        failure = previous.failure;
      } else {
        failure = RemoteFailure.rethrowable(described, ReflectHelpers.findClassLoader());
      }
      Map<String, SourceWork> sourceWork = new TreeMap<>();
      for (SourceWorkReport work : reply.getSourceWorkList()) {
        sourceWork.put(work.getStep(), new SourceWork(work.getDone(), work.getTotal()));
      }
      return new Status(
          stateOf(reply.getState()),
          failure,
          MonitoringInfoBytes.decode(reply.getAttemptedMetricsList()),
          MonitoringInfoBytes.decode(reply.getCommittedMetricsList()),
          sourceWork,
          described);
    }

    private static PipelineResult.State stateOf(JobState state) {
      String name = state.name();
      String prefix = "JOB_STATE_";
      if (!name.startsWith(prefix) || state == JobState.JOB_STATE_UNSPECIFIED) {
        return PipelineResult.State.UNRECOGNIZED;
      }
      return PipelineResult.State.valueOf(name.substring(prefix.length()));
    }
  }
}
