package dev.weir.worker.control;

import com.google.protobuf.ByteString;
import dev.weir.worker.control.v1.ArtifactRef;
import dev.weir.worker.control.v1.ChannelCount;
import dev.weir.worker.control.v1.DeployTask;
import dev.weir.worker.control.v1.SourceWorkReport;
import dev.weir.worker.control.v1.StageAddresses;
import dev.weir.worker.control.v1.SubtaskProgressReport;
import dev.weir.worker.control.v1.TaskKey;
import dev.weir.worker.control.v1.WorkerHeartbeat;
import dev.weir.worker.control.v1.WorkerResources;
import dev.weir.worker.exchange.ChannelId;
import dev.weir.worker.operators.SourceWork;
import dev.weir.state.rocksdb.RocksDbMemory;
import dev.weir.worker.task.MonitoringInfoBytes;
import dev.weir.worker.task.ResourceUse;
import dev.weir.worker.task.SubtaskIo;
import dev.weir.worker.task.SubtaskProgress;
import dev.weir.worker.task.SubtaskSummary;
import dev.weir.worker.task.TaskDeployment;
import dev.weir.worker.task.TaskId;
import dev.weir.worker.usercode.JobArtifact;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The worker's task objects as the control protocol's messages, and back. The stage plan stays
 * user-code bytes both ways; the pipeline options travel as Beam's JSON.
 */
public final class TaskMessages {
  private TaskMessages() {}

  public static TaskKey key(TaskId task) {
    return TaskKey.newBuilder()
        .setJobId(task.jobId())
        .setStage(task.stage())
        .setSubtask(task.subtask())
        .setAttempt(task.attempt())
        .build();
  }

  public static TaskId task(TaskKey key) {
    return new TaskId(key.getJobId(), key.getStage(), key.getSubtask(), key.getAttempt());
  }

  public static DeployTask deployTask(TaskDeployment deployment) {
    DeployTask.Builder message =
        DeployTask.newBuilder()
            .setTask(key(deployment.taskId()))
            .setStagePlan(ByteString.copyFrom(deployment.serializedPlan()))
            .setPipelineOptionsJson(deployment.optionsJson());
    for (Map.Entry<Integer, List<String>> stage : deployment.subtaskAddresses().entrySet()) {
      message.addSubtaskAddresses(
          StageAddresses.newBuilder()
              .setStage(stage.getKey())
              .addAllExchangeAddresses(stage.getValue()));
    }
    if (deployment.restore() != null) {
      message.setRestore(deployment.restore());
    }
    for (JobArtifact artifact : deployment.artifacts()) {
      message.addArtifacts(artifact(artifact));
    }
    return message.build();
  }

  public static TaskDeployment deployment(DeployTask message) {
    Map<Integer, List<String>> addresses = new HashMap<>();
    for (StageAddresses stage : message.getSubtaskAddressesList()) {
      addresses.put(stage.getStage(), new ArrayList<>(stage.getExchangeAddressesList()));
    }
    return TaskDeployment.withOptionsJson(
        task(message.getTask()),
        message.getStagePlan().toByteArray(),
        addresses,
        message.getPipelineOptionsJson(),
        message.hasRestore() ? message.getRestore() : null,
        artifacts(message.getArtifactsList()));
  }

  public static ArtifactRef artifact(JobArtifact artifact) {
    return ArtifactRef.newBuilder()
        .setSha256(artifact.sha256())
        .setSize(artifact.size())
        .setName(artifact.name())
        .build();
  }

  /** The artifacts the messages name; throws IllegalArgumentException on a malformed one. */
  public static List<JobArtifact> artifacts(List<ArtifactRef> refs) {
    List<JobArtifact> artifacts = new ArrayList<>();
    for (ArtifactRef ref : refs) {
      artifacts.add(new JobArtifact(ref.getSha256(), ref.getSize(), ref.getName()));
    }
    return artifacts;
  }

  public static dev.weir.worker.control.v1.SubtaskSummary summary(SubtaskSummary summary) {
    dev.weir.worker.control.v1.SubtaskSummary.Builder message =
        dev.weir.worker.control.v1.SubtaskSummary.newBuilder()
            .addAllMetrics(MonitoringInfoBytes.encode(summary.metrics()));
    for (Map.Entry<ChannelId, Long> sent : summary.elementsSent().entrySet()) {
      ChannelId channel = sent.getKey();
      message.addElementsSent(
          ChannelCount.newBuilder()
              .setJobId(channel.jobId())
              .setAttempt(channel.attempt())
              .setEdgeId(channel.edgeId())
              .setProducer(channel.producer())
              .setConsumer(channel.consumer())
              .setElements(sent.getValue()));
    }
    if (summary.failedStep() != null) {
      message.setFailedStep(summary.failedStep());
    }
    return message
        .setRecordsIn(summary.io().recordsIn())
        .setBytesIn(summary.io().bytesIn())
        .setRecordsOut(summary.io().recordsOut())
        .setBytesOut(summary.io().bytesOut())
        .build();
  }

  public static SubtaskSummary summary(dev.weir.worker.control.v1.SubtaskSummary message) {
    Map<ChannelId, Long> sent = new HashMap<>();
    for (ChannelCount count : message.getElementsSentList()) {
      sent.put(
          new ChannelId(
              count.getJobId(),
              count.getAttempt(),
              count.getEdgeId(),
              count.getProducer(),
              count.getConsumer()),
          count.getElements());
    }
    return new SubtaskSummary(MonitoringInfoBytes.decode(message.getMetricsList()), sent)
        .withFailedStep(message.getFailedStep().isEmpty() ? null : message.getFailedStep())
        .withIo(
            new SubtaskIo(
                message.getRecordsIn(),
                message.getBytesIn(),
                message.getRecordsOut(),
                message.getBytesOut()));
  }

  /** A worker's resources for its heartbeat. */
  public static WorkerResources resources(ResourceUse use) {
    WorkerResources.Builder message =
        WorkerResources.newBuilder()
            .setHeapUsedBytes(use.heapUsedBytes())
            .setHeapMaxBytes(use.heapMaxBytes())
            .setStateDirFreeBytes(use.stateDirFreeBytes())
            .setRocksdbInstances(-1);
    if (use.rocksDb() != null) {
      message
          .setRocksdbInstances(use.rocksDb().instances())
          .setRocksdbBlockCacheBytes(use.rocksDb().blockCacheBytes())
          .setRocksdbMemtableBytes(use.rocksDb().memtableBytes())
          .setRocksdbTableReadersBytes(use.rocksDb().tableReadersBytes());
    }
    return message.build();
  }

  /** A heartbeat's resources; null from a worker that does not report them. */
  public static @Nullable ResourceUse resources(WorkerHeartbeat beat) {
    if (!beat.hasResources()) {
      return null;
    }
    WorkerResources r = beat.getResources();
    return new ResourceUse(
        r.getHeapUsedBytes(),
        r.getHeapMaxBytes(),
        r.getStateDirFreeBytes(),
        r.getRocksdbInstances() < 0
            ? null
            : new RocksDbMemory(
                r.getRocksdbInstances(),
                r.getRocksdbBlockCacheBytes(),
                r.getRocksdbMemtableBytes(),
                r.getRocksdbTableReadersBytes()));
  }

  public static SubtaskProgressReport progress(SubtaskProgress progress) {
    SubtaskProgressReport.Builder message =
        SubtaskProgressReport.newBuilder()
            .setTask(key(progress.task()))
            .setStageName(progress.stageName())
            .setEvents(progress.events())
            .setBusy(progress.busy())
            .setInputWatermarkMillis(progress.inputWatermark().getMillis())
            .setOutputWatermarkMillis(progress.outputWatermark().getMillis())
            .addAllMetrics(progress.metrics())
            .setElapsedMillis(Math.max(0, progress.elapsedMillis()))
            .setIdleMillis(progress.idleMillis())
            .setBackpressuredMillis(progress.backpressuredMillis())
            .setRecordsIn(progress.io().recordsIn())
            .setBytesIn(progress.io().bytesIn())
            .setRecordsOut(progress.io().recordsOut())
            .setBytesOut(progress.io().bytesOut());
    progress
        .sourceWork()
        .forEach(
            (step, work) ->
                message.addSourceWork(
                    SourceWorkReport.newBuilder()
                        .setStep(step)
                        .setDone(work.done())
                        .setTotal(work.total())));
    if (progress.nextProcessingTimer() != null) {
      message
          .setHasNextProcessingTimer(true)
          .setNextProcessingTimerMillis(progress.nextProcessingTimer().getMillis());
    }
    return message.build();
  }

  public static SubtaskProgress progress(SubtaskProgressReport message) {
    Map<String, SourceWork> sourceWork = new LinkedHashMap<>();
    for (SourceWorkReport work : message.getSourceWorkList()) {
      sourceWork.put(work.getStep(), new SourceWork(work.getDone(), work.getTotal()));
    }
    return new SubtaskProgress(
        task(message.getTask()),
        message.getStageName(),
        message.getEvents(),
        message.getBusy(),
        new Instant(message.getInputWatermarkMillis()),
        new Instant(message.getOutputWatermarkMillis()),
        message.getHasNextProcessingTimer()
            ? new Instant(message.getNextProcessingTimerMillis())
            : null,
        message.getMetricsList(),
        sourceWork)
        .withTimeUse(
            message.getElapsedMillis() > 0 ? message.getElapsedMillis() : -1,
            message.getIdleMillis(),
            message.getBackpressuredMillis())
        .withIo(
            new SubtaskIo(
                message.getRecordsIn(),
                message.getBytesIn(),
                message.getRecordsOut(),
                message.getBytesOut()));
  }
}
