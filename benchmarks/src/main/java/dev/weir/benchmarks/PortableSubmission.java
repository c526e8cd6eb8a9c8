package dev.weir.benchmarks;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.model.jobmanagement.v1.ArtifactStagingServiceGrpc;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.jobmanagement.v1.JobServiceGrpc;
import org.apache.beam.model.pipeline.v1.MetricsApi;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.runners.core.metrics.MonitoringInfoEncodings;
import org.apache.beam.runners.fnexecution.artifact.ArtifactRetrievalService;
import org.apache.beam.runners.fnexecution.artifact.ArtifactStagingService;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.util.construction.PipelineOptionsTranslation;
import org.apache.beam.sdk.util.construction.PipelineTranslation;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannel;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannelBuilder;

/**
 * A Java pipeline sent to a job server over Beam's Job API as Beam's PortableRunner sends it
 * (pipeline proto, Prepare, artifact staging, Run), followed to its end through the job's state
 * stream, with its user counters read back through GetJobMetrics.
 */
final class PortableSubmission implements AutoCloseable {
  private final ManagedChannel channel;
  private final JobServiceGrpc.JobServiceBlockingStub jobs;

  PortableSubmission(int port) {
    channel = ManagedChannelBuilder.forTarget("localhost:" + port).usePlaintext().build();
    jobs = JobServiceGrpc.newBlockingStub(channel);
  }

  /** Submits {@code pipeline} and blocks until it ends; returns the job id if it ended DONE. */
  String runToCompletion(Pipeline pipeline, String name) {
    JobApi.PrepareJobResponse prepared =
        jobs.prepare(
            JobApi.PrepareJobRequest.newBuilder()
                .setPipeline(PipelineTranslation.toProto(pipeline))
                .setPipelineOptions(PipelineOptionsTranslation.toProto(pipeline.getOptions()))
                .setJobName(name)
                .build());
    try {
      ArtifactStagingService.offer(
          new ArtifactRetrievalService(),
          ArtifactStagingServiceGrpc.newStub(channel),
          prepared.getStagingSessionToken());
    } catch (Exception e) {
      throw new IllegalStateException("Staging the job's artifacts failed", e);
    }
    String jobId =
        jobs.run(
                JobApi.RunJobRequest.newBuilder()
                    .setPreparationId(prepared.getPreparationId())
                    .build())
            .getJobId();
    // Weir's state stream ends when the job does, so the end is seen without a polling delay.
    JobApi.JobState.Enum last = JobApi.JobState.Enum.UNSPECIFIED;
    Iterator<JobApi.JobStateEvent> states =
        jobs.getStateStream(JobApi.GetJobStateRequest.newBuilder().setJobId(jobId).build());
    while (states.hasNext()) {
      last = states.next().getState();
    }
    if (last != JobApi.JobState.Enum.DONE) {
      throw new IllegalStateException("Portable job " + jobId + " ended " + last + ", not DONE");
    }
    return jobId;
  }

  /** The job's attempted user counters of {@code namespace}, by name, summed over steps. */
  Map<String, Long> userCounters(String jobId, String namespace) {
    JobApi.MetricResults metrics =
        jobs.getJobMetrics(JobApi.GetJobMetricsRequest.newBuilder().setJobId(jobId).build())
            .getMetrics();
    Map<String, Long> counters = new HashMap<>();
    for (MetricsApi.MonitoringInfo info : metrics.getAttemptedList()) {
      if (info.getUrn().equals(MonitoringInfoConstants.Urns.USER_SUM_INT64)
          && namespace.equals(info.getLabelsMap().get(MonitoringInfoConstants.Labels.NAMESPACE))) {
        counters.merge(
            info.getLabelsMap().get(MonitoringInfoConstants.Labels.NAME),
            MonitoringInfoEncodings.decodeInt64Counter(info.getPayload()),
            Long::sum);
      }
    }
    return counters;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(10, TimeUnit.SECONDS);
  }
}
