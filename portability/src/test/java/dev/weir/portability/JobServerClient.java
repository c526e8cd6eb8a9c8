package dev.weir.portability;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.model.jobmanagement.v1.ArtifactStagingServiceGrpc;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.jobmanagement.v1.JobServiceGrpc;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.artifact.ArtifactRetrievalService;
import org.apache.beam.runners.fnexecution.artifact.ArtifactStagingService;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.ExperimentalOptions;
import org.apache.beam.sdk.util.construction.PipelineOptionsTranslation;
import org.apache.beam.sdk.util.construction.SplittableParDo;
import org.apache.beam.sdk.util.construction.PipelineTranslation;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannel;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannelBuilder;

/**
 * Submits a Java pipeline to a job server the way Beam's PortableRunner does (pipeline proto,
 * Prepare, artifact staging through Beam's own client, Run), with the 2.70.0 SDK; then follows the
 * job through the Job API.
 */
final class JobServerClient implements AutoCloseable {
  private final ManagedChannel channel;
  final JobServiceGrpc.JobServiceBlockingStub jobs;

  JobServerClient(int port) {
    channel = ManagedChannelBuilder.forTarget("localhost:" + port).usePlaintext().build();
    jobs = JobServiceGrpc.newBlockingStub(channel);
  }

  /**
   * Prepares, stages and runs {@code pipeline}; returns the job id. With the experiment {@code
   * use_deprecated_read}, its Reads go as primitive Reads of their sources, as Beam's classic Java
   * runners make them (the 2.70.0 SDK expands a Read into a splittable DoFn otherwise).
   */
  String submit(Pipeline pipeline, String name) throws Exception {
    if (ExperimentalOptions.hasExperiment(pipeline.getOptions(), "use_deprecated_read")) {
      SplittableParDo.convertReadBasedSplittableDoFnsToPrimitiveReads(pipeline);
    }
    RunnerApi.Pipeline proto = PipelineTranslation.toProto(pipeline);
    JobApi.PrepareJobResponse prepared =
        jobs.prepare(
            JobApi.PrepareJobRequest.newBuilder()
                .setPipeline(proto)
                .setPipelineOptions(PipelineOptionsTranslation.toProto(pipeline.getOptions()))
                .setJobName(name)
                .build());
    ArtifactStagingService.offer(
        new ArtifactRetrievalService(),
        ArtifactStagingServiceGrpc.newStub(channel),
        prepared.getStagingSessionToken());
    return jobs.run(
            JobApi.RunJobRequest.newBuilder().setPreparationId(prepared.getPreparationId()).build())
        .getJobId();
  }

  /** Polls GetState until the job ends; fails after {@code timeoutSeconds}. */
  JobApi.JobState.Enum awaitEnd(String jobId, long timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      JobApi.JobState.Enum state =
          jobs.getState(JobApi.GetJobStateRequest.newBuilder().setJobId(jobId).build()).getState();
      if (PortableJob.isTerminal(state)) {
        return state;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("Job " + jobId + " did not end within " + timeoutSeconds + " s");
  }

  /** Every message and state change of the ended job, in order. */
  List<JobApi.JobMessagesResponse> messages(String jobId) {
    List<JobApi.JobMessagesResponse> all = new ArrayList<>();
    Iterator<JobApi.JobMessagesResponse> it =
        jobs.getMessageStream(JobApi.JobMessagesRequest.newBuilder().setJobId(jobId).build());
    it.forEachRemaining(all::add);
    return all;
  }

  JobApi.MetricResults metrics(String jobId) {
    return jobs.getJobMetrics(JobApi.GetJobMetricsRequest.newBuilder().setJobId(jobId).build())
        .getMetrics();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(10, TimeUnit.SECONDS);
  }
}
