package dev.weir.portability;

import dev.weir.runner.WeirPipelineOptions;
import dev.weir.runner.WeirRunner;
import dev.weir.translation.ExecutionPlan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.jobmanagement.v1.JobServiceGrpc;
import org.apache.beam.model.pipeline.v1.Endpoints;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.artifact.ArtifactStagingService;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.Status;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.stub.ServerCallStreamObserver;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.stub.StreamObserver;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beam's JobService on Weir. Prepare registers the pipeline's artifacts with the staging service
 * (the submitter then offers them there under the preparation id); Run fuses and translates the
 * pipeline, with the staged artifacts in place of the submitted ones, and runs the plan on Weir
 * ({@link WeirRunner#runPlan}); the job's state, messages and metrics follow the Weir job. The
 * preparation id is also the job id.
 */
final class WeirJobService extends JobServiceGrpc.JobServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(WeirJobService.class);

  private final JobTable jobs;
  private final ArtifactStagingService staging;
  private final Supplier<Endpoints.ApiServiceDescriptor> stagingEndpoint;
  private final EnvironmentSupport environments;
  private final ExecutorService launcher;

  WeirJobService(
      JobTable jobs,
      ArtifactStagingService staging,
      Supplier<Endpoints.ApiServiceDescriptor> stagingEndpoint,
      EnvironmentSupport environments,
      ExecutorService launcher) {
    this.jobs = jobs;
    this.staging = staging;
    this.stagingEndpoint = stagingEndpoint;
    this.environments = environments;
    this.launcher = launcher;
  }

  @Override
  public void prepare(
      JobApi.PrepareJobRequest request, StreamObserver<JobApi.PrepareJobResponse> response) {
    String name = request.getJobName().isEmpty() ? "job" : request.getJobName();
    String id = name + "_" + UUID.randomUUID();
    try {
      environments.check(request.getPipeline());
      jobs.add(
          new PortableJob(
              id, name, request.getPipeline(), request.getPipelineOptions(), jobs.now()));
    } catch (IllegalArgumentException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException());
      return;
    } catch (IllegalStateException e) {
      response.onError(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asException());
      return;
    }
    staging.registerJob(id, dependencies(request.getPipeline()));
    response.onNext(
        JobApi.PrepareJobResponse.newBuilder()
            .setPreparationId(id)
            .setArtifactStagingEndpoint(stagingEndpoint.get())
            .setStagingSessionToken(id)
            .build());
    response.onCompleted();
  }

  private static Map<String, List<RunnerApi.ArtifactInformation>> dependencies(
      RunnerApi.Pipeline pipeline) {
    Map<String, List<RunnerApi.ArtifactInformation>> byEnvironment = new HashMap<>();
    pipeline
        .getComponents()
        .getEnvironmentsMap()
        .forEach((id, env) -> byEnvironment.put(id, env.getDependenciesList()));
    return byEnvironment;
  }

  @Override
  public void run(JobApi.RunJobRequest request, StreamObserver<JobApi.RunJobResponse> response) {
    PortableJob job = jobs.get(request.getPreparationId());
    if (job == null) {
      response.onError(notFound(request.getPreparationId()));
      return;
    }
    if (!job.setState(JobApi.JobState.Enum.STARTING, jobs.now())) {
      response.onError(
          Status.FAILED_PRECONDITION
              .withDescription("Job " + job.id() + " was run already")
              .asException());
      return;
    }
    Map<String, List<RunnerApi.ArtifactInformation>> staged =
        staging.getStagedArtifacts(job.id());
    launcher.execute(() -> launch(job, staged, request.getRetrievalToken()));
    response.onNext(JobApi.RunJobResponse.newBuilder().setJobId(job.id()).build());
    response.onCompleted();
  }

  /** Runs the job on Weir and follows it to its end; on the launcher's thread. */
  private void launch(
      PortableJob job,
      @Nullable Map<String, List<RunnerApi.ArtifactInformation>> staged,
      String retrievalToken) {
    try {
      RunnerApi.Pipeline pipeline = withArtifacts(job.pipeline(), staged);
      WeirPipelineOptions options = JobOptions.of(job.options());
      options.setJobName(job.name());
      JobInfo info = JobInfo.create(job.id(), job.name(), retrievalToken, job.options());
      ExecutionPlan plan =
          PortablePipelineTranslator.translate(
              PortablePipelineTranslator.fuse(pipeline),
              info,
              WeirRunner.parallelism(options),
              WeirRunner.maxParallelism(options));
      LOG.debug("Job {} translated: {}", job.id(), plan);
      PipelineResult result = WeirRunner.runPlan(plan, options);
      job.started(result);
      if (!job.setState(JobApi.JobState.Enum.RUNNING, jobs.now())) {
        // Cancelled while starting.
        result.cancel();
        return;
      }
      PipelineResult.State end = result.waitUntilFinish();
      removeArtifacts(job);
      job.setState(stateOf(end), jobs.now());
    } catch (Pipeline.PipelineExecutionException e) {
      failed(job, e.getCause() != null ? e.getCause() : e);
    } catch (Exception | LinkageError e) {
      failed(job, e);
    } finally {
      // Cancelled while starting, or ended otherwise: nothing fetches them any more.
      removeArtifacts(job);
    }
  }

  private void failed(PortableJob job, Throwable cause) {
    LOG.info("Job {} failed", job.id(), cause);
    job.addMessage(
        JobApi.JobMessage.MessageImportance.JOB_MESSAGE_ERROR, describe(cause), jobs.now());
    removeArtifacts(job);
    job.setState(JobApi.JobState.Enum.FAILED, jobs.now());
  }

  /**
   * Deletes the job's staged copies of its dependencies, before its end is visible: a long-lived
   * server stages every job's class path (tens of MB each), and the harnesses have fetched them
   * once the job ended. Only the first call deletes.
   */
  private void removeArtifacts(PortableJob job) {
    removeArtifacts(staging, job);
  }

  /** As {@link #removeArtifacts(PortableJob)}: also for a job forgotten without being run. */
  static void removeArtifacts(ArtifactStagingService staging, PortableJob job) {
    if (!job.claimArtifactsRemoval()) {
      return;
    }
    try {
      staging.removeStagedArtifacts(job.id());
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not delete the staged artifacts of job {}", job.id(), e);
    }
  }

  /** The failure and its causes, one line each: the SDK's own message is among them. */
  private static String describe(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (text.length() > 0) {
        text.append("\nCaused by: ");
      }
      text.append(t);
    }
    return text.toString();
  }

  /** The pipeline with each environment's dependencies replaced by their staged copies. */
  private static RunnerApi.Pipeline withArtifacts(
      RunnerApi.Pipeline pipeline,
      @Nullable Map<String, List<RunnerApi.ArtifactInformation>> staged) {
    if (staged == null || staged.isEmpty()) {
      return pipeline;
    }
    RunnerApi.Pipeline.Builder builder = pipeline.toBuilder();
    RunnerApi.Components.Builder components = builder.getComponentsBuilder();
    for (Map.Entry<String, List<RunnerApi.ArtifactInformation>> e : staged.entrySet()) {
      RunnerApi.Environment env = components.getEnvironmentsOrDefault(e.getKey(), null);
      if (env != null) {
        components.putEnvironments(
            e.getKey(), env.toBuilder().clearDependencies().addAllDependencies(e.getValue()).build());
      }
    }
    return builder.build();
  }

  private static JobApi.JobState.Enum stateOf(PipelineResult.@Nullable State state) {
    if (state == null) {
      return JobApi.JobState.Enum.UNSPECIFIED;
    }
    switch (state) {
      case DONE:
        return JobApi.JobState.Enum.DONE;
      case FAILED:
        return JobApi.JobState.Enum.FAILED;
      case CANCELLED:
        return JobApi.JobState.Enum.CANCELLED;
      case RUNNING:
        return JobApi.JobState.Enum.RUNNING;
      case STOPPED:
        return JobApi.JobState.Enum.STOPPED;
      case UPDATED:
        return JobApi.JobState.Enum.UPDATED;
      default:
        return JobApi.JobState.Enum.UNSPECIFIED;
    }
  }

  @Override
  public void getJobs(
      JobApi.GetJobsRequest request, StreamObserver<JobApi.GetJobsResponse> response) {
    JobApi.GetJobsResponse.Builder out = JobApi.GetJobsResponse.newBuilder();
    for (PortableJob job : jobs.all()) {
      out.addJobInfo(
          JobApi.JobInfo.newBuilder()
              .setJobId(job.id())
              .setJobName(job.name())
              .setPipelineOptions(job.options())
              .setState(job.state()));
    }
    response.onNext(out.build());
    response.onCompleted();
  }

  @Override
  public void getState(
      JobApi.GetJobStateRequest request, StreamObserver<JobApi.JobStateEvent> response) {
    PortableJob job = jobs.get(request.getJobId());
    if (job == null) {
      response.onError(notFound(request.getJobId()));
      return;
    }
    response.onNext(job.stateEvent());
    response.onCompleted();
  }

  @Override
  public void getPipeline(
      JobApi.GetJobPipelineRequest request,
      StreamObserver<JobApi.GetJobPipelineResponse> response) {
    PortableJob job = jobs.get(request.getJobId());
    if (job == null) {
      response.onError(notFound(request.getJobId()));
      return;
    }
    response.onNext(JobApi.GetJobPipelineResponse.newBuilder().setPipeline(job.pipeline()).build());
    response.onCompleted();
  }

  @Override
  public void getStateStream(
      JobApi.GetJobStateRequest request, StreamObserver<JobApi.JobStateEvent> response) {
    follow(
        request.getJobId(),
        response,
        event -> event.hasStateResponse() ? event.getStateResponse() : null);
  }

  @Override
  public void getMessageStream(
      JobApi.JobMessagesRequest request, StreamObserver<JobApi.JobMessagesResponse> response) {
    follow(request.getJobId(), response, event -> event);
  }

  /** Streams the job's events, as {@code view} shows them (null: skipped), until it ends. */
  private <T> void follow(
      String jobId,
      StreamObserver<T> response,
      java.util.function.Function<JobApi.JobMessagesResponse, @Nullable T> view) {
    PortableJob job = jobs.get(jobId);
    if (job == null) {
      response.onError(notFound(jobId));
      return;
    }
    Consumer<JobApi.JobMessagesResponse> follower =
        event -> {
          T shown = view.apply(event);
          if (shown != null) {
            response.onNext(shown);
          }
          if (event.hasStateResponse()
              && PortableJob.isTerminal(event.getStateResponse().getState())) {
            response.onCompleted();
          }
        };
    if (response instanceof ServerCallStreamObserver) {
      ((ServerCallStreamObserver<T>) response).setOnCancelHandler(() -> job.unfollow(follower));
    }
    job.follow(follower);
  }

  @Override
  public void getJobMetrics(
      JobApi.GetJobMetricsRequest request, StreamObserver<JobApi.GetJobMetricsResponse> response) {
    PortableJob job = jobs.get(request.getJobId());
    if (job == null) {
      response.onError(notFound(request.getJobId()));
      return;
    }
    PipelineResult result = job.result();
    JobApi.MetricResults metrics =
        result == null ? JobApi.MetricResults.getDefaultInstance() : JobMetrics.of(result.metrics());
    response.onNext(JobApi.GetJobMetricsResponse.newBuilder().setMetrics(metrics).build());
    response.onCompleted();
  }

  @Override
  public void cancel(
      JobApi.CancelJobRequest request, StreamObserver<JobApi.CancelJobResponse> response) {
    PortableJob job = jobs.get(request.getJobId());
    if (job == null) {
      response.onError(notFound(request.getJobId()));
      return;
    }
    PipelineResult result = job.result();
    if (result == null) {
      // Not running yet: the launcher sees the state and cancels what it started.
      job.setState(JobApi.JobState.Enum.CANCELLED, jobs.now());
    } else if (!job.isTerminal()) {
      job.setState(JobApi.JobState.Enum.CANCELLING, jobs.now());
      try {
        result.cancel();
      } catch (java.io.IOException e) {
        response.onError(Status.INTERNAL.withDescription(e.toString()).asException());
        return;
      }
    }
    response.onNext(JobApi.CancelJobResponse.newBuilder().setState(job.state()).build());
    response.onCompleted();
  }

  @Override
  public void describePipelineOptions(
      JobApi.DescribePipelineOptionsRequest request,
      StreamObserver<JobApi.DescribePipelineOptionsResponse> response) {
    List<JobApi.PipelineOptionDescriptor> options =
        new ArrayList<>(PipelineOptionsFactory.describe(PipelineOptionsFactory.getRegisteredOptions()));
    response.onNext(
        JobApi.DescribePipelineOptionsResponse.newBuilder().addAllOptions(options).build());
    response.onCompleted();
  }

  private static Exception notFound(String jobId) {
    return Status.NOT_FOUND.withDescription("No job " + jobId).asException();
  }
}
