package dev.weir.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weir.web.WeirVersion;
import dev.weir.web.view.CheckpointDetailView;
import dev.weir.web.view.CheckpointHistoryView;
import dev.weir.web.view.ClusterView;
import dev.weir.web.view.JobDetail;
import dev.weir.web.view.JobException;
import dev.weir.web.view.JobMetrics;
import dev.weir.web.view.JobSummary;
import dev.weir.web.view.Overview;
import dev.weir.web.view.StageDetail;
import dev.weir.web.view.WorkerSummary;
import dev.weir.state.rocksdb.RocksDbMemory;
import dev.weir.web.view.WorkerDetail;
import dev.weir.worker.task.ResourceUse;
import dev.weir.worker.task.SubtaskIo;
import dev.weir.worker.task.SubtaskProgress;
import dev.weir.worker.task.TaskId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The web server's read-only view of this JVM's coordinator: its jobs ({@link JobCoordinator}s,
 * as the cluster coordinator's registry or an embedded run holds them) and its workers. Metrics
 * are decoded from the coordinator's attempted and committed {@code MetricsContainerStepMap}s, as
 * {@link WeirPipelineResult#metrics()} decodes them, so the numbers the web shows are the ones the
 * result reports.
 *
 * <p>Reading a job's running subtasks is the expensive part (on the embedded cluster every
 * subtask encodes its metrics at each read, and the coordinator decodes them all), so a job's
 * stages, metrics and plan are read once per {@link #generation() generation} and reused by every
 * request of it. The generation changes when a job's state, attempt, restarts, ended subtasks or
 * checkpoint counts change, when the jobs or workers change, and at least every {@value
 * #READING_MILLIS} ms: counts, watermarks and time use are at most that old (a worker process
 * reports them every few seconds anyway), changes of state show at once ({@link
 * #stateGeneration()}).
 */
public final class CoordinatorView implements ClusterView {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<List<JobCoordinator>> jobs;
  private final Supplier<List<WorkerSummary>> workers;
  private final Function<String, ResourceUse> resources;
  private final TimeUseRates rates = new TimeUseRates();

  /** A new generation starts at least this often, so running subtasks are read again. */
  static final long READING_MILLIS = 1000;

  private final long readingMillis;
  private final LongSupplier clock;

  // Guarded by this: what the generations were computed from, and the generations.
  private List<Object> lastState = List.of();
  private long lastTick = -1;
  private long generation;
  private long stateGeneration;

  /** By job id, the newest generation's reading of the job. */
  private final Map<String, JobReading> readings = new HashMap<>();

  /**
   * @param jobs the jobs known now, in submission order
   * @param workers the workers registered now
   */
  public CoordinatorView(
      Supplier<List<JobCoordinator>> jobs, Supplier<List<WorkerSummary>> workers) {
    this(jobs, workers, name -> null);
  }

  /**
   * @param resources a worker's resources by name (its latest heartbeat's, or read now in this
   *     JVM); null where none are known
   */
  public CoordinatorView(
      Supplier<List<JobCoordinator>> jobs,
      Supplier<List<WorkerSummary>> workers,
      Function<String, ResourceUse> resources) {
    this(jobs, workers, resources, READING_MILLIS, System::currentTimeMillis);
  }

  /**
   * @param readingMillis a new generation starts at least this often
   * @param clock milliseconds, for the generation's ticks
   */
  CoordinatorView(
      Supplier<List<JobCoordinator>> jobs,
      Supplier<List<WorkerSummary>> workers,
      Function<String, ResourceUse> resources,
      long readingMillis,
      LongSupplier clock) {
    if (readingMillis <= 0) {
      throw new IllegalArgumentException("readingMillis must be positive: " + readingMillis);
    }
    this.jobs = jobs;
    this.workers = workers;
    this.resources = resources;
    this.readingMillis = readingMillis;
    this.clock = clock;
  }

  /** What a job's reading depends on, besides the running subtasks' counts and time use. */
  private record JobMark(
      String id,
      PipelineResult.State state,
      int attempt,
      int restarts,
      int endedSubtasks,
      long completedCheckpoints,
      long failedCheckpoints) {
    static JobMark of(JobCoordinator job) {
      CheckpointCoordinator checkpoints = job.checkpointCoordinator();
      return new JobMark(
          job.jobId(),
          job.state(),
          job.attempt(),
          job.restarts().size(),
          job.endedSubtaskCount(),
          checkpoints == null ? 0 : checkpoints.completedCount(),
          checkpoints == null ? 0 : checkpoints.abortedCount());
    }
  }

  /**
   * Grows when a job's {@link JobMark} changes, when the jobs or the workers change, and at every
   * tick of {@link #READING_MILLIS}; cheap: reads no subtask.
   */
  @Override
  public long generation() {
    return advance()[0];
  }

  /** Grows with {@link #generation()} but not at its ticks. */
  @Override
  public long stateGeneration() {
    return advance()[1];
  }

  /** Compares the marks now with the last ones; returns the generation and state generation. */
  private long[] advance() {
    List<Object> state = new ArrayList<>();
    for (JobCoordinator job : jobs.get()) {
      state.add(JobMark.of(job));
    }
    for (WorkerSummary worker : workers.get()) {
      state.add(worker.name());
    }
    long tick = clock.getAsLong() / readingMillis;
    synchronized (this) {
      if (!state.equals(lastState)) {
        lastState = state;
        stateGeneration++;
        generation++;
      } else if (tick != lastTick) {
        generation++;
      }
      lastTick = tick;
      return new long[] {generation, stateGeneration};
    }
  }

  /** The current generation's reading of {@code job}, made now if it has none yet. */
  private JobReading reading(JobCoordinator job) {
    long now = generation();
    synchronized (readings) {
      JobReading reading = readings.get(job.jobId());
      if (reading == null || reading.generation < now) {
        reading = new JobReading(job, now);
        if (readings.size() > 16) {
          // Forgotten jobs' readings go with them.
          Set<String> known = new HashSet<>();
          for (JobCoordinator j : jobs.get()) {
            known.add(j.jobId());
          }
          readings.keySet().retainAll(known);
        }
        readings.put(job.jobId(), reading);
      }
      return reading;
    }
  }

  /**
   * One generation's reading of a job: each part read at its first use, then kept, and the
   * running subtasks read once for both their stages and their metrics.
   */
  private final class JobReading {
    final long generation;
    private final JobCoordinator job;
    private @Nullable JobDetail detail;
    private @Nullable List<SubtaskProgress> progress;
    private @Nullable List<StageDetail> stages;
    private @Nullable JobMetrics metrics;

    JobReading(JobCoordinator job, long generation) {
      this.job = job;
      this.generation = generation;
    }

    synchronized JobDetail detail() {
      if (detail == null) {
        detail = CoordinatorView.detail(job);
      }
      return detail;
    }

    synchronized List<StageDetail> stages() {
      if (stages == null) {
        List<SubtaskProgress> running = progress();
        Map<TaskId, String> placement = job.placement();
        int attempt = job.attempt();
        // A restart's subtasks are new ones: the failed attempts' readings go.
        rates.retainAttempt(job.jobId(), attempt);
        Map<TaskId, SubtaskIo> endedIo = job.endedSubtasksIo();
        List<StageDetail> all = new ArrayList<>();
        for (JobTopology.Stage stage : job.topology().stages()) {
          all.add(stage(job, stage, running, placement, attempt, endedIo));
        }
        stages = List.copyOf(all);
      }
      return stages;
    }

    synchronized JobMetrics metrics() {
      if (metrics == null) {
        metrics = CoordinatorView.metrics(job.attemptedMetrics(progress()), job.committedMetrics());
      }
      return metrics;
    }

    private List<SubtaskProgress> progress() {
      if (progress == null) {
        progress = job.subtaskProgress();
      }
      return progress;
    }
  }

  @Override
  public Overview overview() {
    List<WorkerSummary> all = workers.get();
    long slots = 0;
    for (WorkerSummary worker : all) {
      if (worker.slots() < 0) {
        slots = -1;
        break;
      }
      slots += worker.slots();
    }
    Map<String, Integer> byState = new TreeMap<>();
    for (JobCoordinator job : jobs.get()) {
      byState.merge(job.state().name(), 1, Integer::sum);
    }
    return new Overview(WeirVersion.get(), all.size(), slots, byState);
  }

  @Override
  public List<JobSummary> jobs() {
    List<JobSummary> summaries = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (JobCoordinator job : jobs.get()) {
      summaries.add(summary(job));
      ids.add(job.jobId());
    }
    // Forgotten jobs' readings go with them.
    rates.retainJobs(ids);
    return summaries;
  }

  @Override
  public Optional<StageDetail> stage(String jobId, int stageId) {
    Optional<JobCoordinator> found = find(jobId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    for (StageDetail stage : reading(found.get()).stages()) {
      if (stage.stageId() == stageId) {
        return Optional.of(stage);
      }
    }
    return Optional.empty();
  }

  /** Every stage, from the generation's one reading of the subtasks' progress. */
  @Override
  public Optional<List<StageDetail>> stages(String jobId) {
    return find(jobId).map(job -> reading(job).stages());
  }

  private StageDetail stage(
      JobCoordinator job,
      JobTopology.Stage stage,
      List<SubtaskProgress> allProgress,
      Map<TaskId, String> placement,
      int attempt,
      Map<TaskId, SubtaskIo> endedIo) {
    String jobId = job.jobId();
    int stageId = stage.id();
    List<StageDetail.SubtaskStatus> subtasks = new ArrayList<>();
    for (SubtaskProgress progress : allProgress) {
      TaskId task = progress.task();
      if (task.stage() != stageId || task.attempt() != attempt || endedIo.containsKey(task)) {
        continue;
      }
      TimeUseRates.Rates r =
          rates.of(
              task, progress.elapsedMillis(), progress.idleMillis(), progress.backpressuredMillis());
      SubtaskIo io = progress.io();
      subtasks.add(
          new StageDetail.SubtaskStatus(
              task.subtask(),
              task.attempt(),
              placement.getOrDefault(task, "?"),
              progress.events(),
              progress.inputWatermark().getMillis(),
              progress.outputWatermark().getMillis(),
              r == null ? -1 : r.busy(),
              r == null ? -1 : r.idle(),
              r == null ? -1 : r.backpressured(),
              false,
              io.recordsIn(),
              io.bytesIn(),
              io.recordsOut(),
              io.bytesOut()));
    }
    // Ended subtasks keep their final records and bytes; their watermarks are at the end.
    long end = BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis();
    for (Map.Entry<TaskId, SubtaskIo> e : endedIo.entrySet()) {
      TaskId task = e.getKey();
      if (task.stage() != stageId) {
        continue;
      }
      SubtaskIo io = e.getValue();
      subtasks.add(
          new StageDetail.SubtaskStatus(
              task.subtask(),
              task.attempt(),
              placement.getOrDefault(task, "?"),
              -1,
              end,
              end,
              -1,
              -1,
              -1,
              true,
              io.recordsIn(),
              io.bytesIn(),
              io.recordsOut(),
              io.bytesOut()));
    }
    subtasks.sort(Comparator.comparingInt(StageDetail.SubtaskStatus::subtask));
    return new StageDetail(
        jobId, stage.id(), stage.name(), stage.parallelism(), stage.operatorNames(), subtasks);
  }

  private static JobSummary summary(JobCoordinator job) {
    return new JobSummary(
        job.jobId(),
        job.jobName(),
        job.state().name(),
        job.startedAtMillis(),
        job.endedAtMillis(),
        job.attempt(),
        job.restarts().size());
  }

  private Optional<JobCoordinator> find(String jobId) {
    for (JobCoordinator job : jobs.get()) {
      if (job.jobId().equals(jobId)) {
        return Optional.of(job);
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<JobDetail> job(String jobId) {
    return find(jobId).map(job -> reading(job).detail());
  }

  private static JobDetail detail(JobCoordinator job) {
    JobTopology plan = job.topology();
    List<JobDetail.Stage> stages = new ArrayList<>();
    for (JobTopology.Stage stage : plan.stages()) {
      stages.add(
          new JobDetail.Stage(stage.id(), stage.name(), stage.parallelism(), stage.operatorNames()));
    }
    List<JobDetail.Edge> edges = new ArrayList<>();
    for (JobTopology.Edge edge : plan.edges()) {
      edges.add(new JobDetail.Edge(edge.id(), edge.fromStage(), edge.toStage(), edge.kind()));
    }
    return new JobDetail(summary(job), plan.maxParallelism(), stages, edges, options(job));
  }

  /** The options the user set, each value as JSON text; Beam's serialized form holds them. */
  private static Map<String, String> options(JobCoordinator job) {
    Map<String, String> options = new TreeMap<>();
    String json = job.optionsJson();
    if (json == null) {
      return options;
    }
    try {
      JsonNode set = JSON.readTree(json).path("options");
      for (Iterator<Map.Entry<String, JsonNode>> it = set.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> option = it.next();
        options.put(option.getKey(), option.getValue().toString());
      }
    } catch (IOException e) {
      throw new IllegalStateException("Job " + job.jobId() + "'s options are not JSON", e);
    }
    return options;
  }

  @Override
  public Optional<JobMetrics> metrics(String jobId) {
    return find(jobId).map(job -> reading(job).metrics());
  }

  /** Attempted and committed values side by side; a committed value is null where none is. */
  static JobMetrics metrics(
      MetricsContainerStepMap attempted, MetricsContainerStepMap committed) {
    MetricQueryResults results =
        MetricsContainerStepMap.asMetricResults(attempted, committed).allMetrics();
    List<JobMetrics.Counter> counters = new ArrayList<>();
    for (MetricResult<Long> c : results.getCounters()) {
      counters.add(
          new JobMetrics.Counter(
              c.getKey().stepName(),
              c.getName().getNamespace(),
              c.getName().getName(),
              c.getAttempted(),
              c.getCommittedOrNull()));
    }
    counters.sort(
        Comparator.comparing(JobMetrics.Counter::step)
            .thenComparing(JobMetrics.Counter::namespace)
            .thenComparing(JobMetrics.Counter::name));
    List<JobMetrics.Distribution> distributions = new ArrayList<>();
    for (MetricResult<DistributionResult> d : results.getDistributions()) {
      distributions.add(
          new JobMetrics.Distribution(
              d.getKey().stepName(),
              d.getName().getNamespace(),
              d.getName().getName(),
              distribution(d.getAttempted()),
              d.getCommittedOrNull() == null ? null : distribution(d.getCommittedOrNull())));
    }
    distributions.sort(
        Comparator.comparing(JobMetrics.Distribution::step)
            .thenComparing(JobMetrics.Distribution::namespace)
            .thenComparing(JobMetrics.Distribution::name));
    List<JobMetrics.Gauge> gauges = new ArrayList<>();
    for (MetricResult<GaugeResult> g : results.getGauges()) {
      GaugeResult committedGauge = g.getCommittedOrNull();
      gauges.add(
          new JobMetrics.Gauge(
              g.getKey().stepName(),
              g.getName().getNamespace(),
              g.getName().getName(),
              g.getAttempted().getValue(),
              committedGauge == null ? null : committedGauge.getValue()));
    }
    gauges.sort(
        Comparator.comparing(JobMetrics.Gauge::step)
            .thenComparing(JobMetrics.Gauge::namespace)
            .thenComparing(JobMetrics.Gauge::name));
    return new JobMetrics(counters, distributions, gauges);
  }

  private static JobMetrics.DistributionValue distribution(DistributionResult d) {
    return new JobMetrics.DistributionValue(d.getCount(), d.getSum(), d.getMin(), d.getMax());
  }

  @Override
  public Optional<CheckpointHistoryView> checkpoints(String jobId) {
    return find(jobId).map(CoordinatorView::checkpoints);
  }

  private static CheckpointHistoryView checkpoints(JobCoordinator job) {
    CheckpointCoordinator coordinator = job.checkpointCoordinator();
    if (coordinator == null) {
      return new CheckpointHistoryView(false, 0, 0, -1, List.of());
    }
    List<CheckpointHistoryView.Checkpoint> history = new ArrayList<>();
    for (CheckpointStats c : coordinator.checkpoints()) {
      history.add(entry(c));
    }
    return new CheckpointHistoryView(
        true,
        coordinator.completedCount(),
        coordinator.abortedCount(),
        coordinator.latestCompleted().orElse(-1),
        history);
  }

  private static CheckpointHistoryView.Checkpoint entry(CheckpointStats c) {
    return new CheckpointHistoryView.Checkpoint(
        c.id(),
        c.attempt(),
        c.status() == CheckpointStats.Status.COMPLETED ? "COMPLETED" : "FAILED",
        c.triggeredAtMillis(),
        c.durationMillis(),
        c.sizeBytes(),
        c.incrementalSizeBytes(),
        c.maxSyncMillis(),
        c.maxAsyncMillis(),
        c.failureReason());
  }

  @Override
  public Optional<CheckpointDetailView> checkpoint(String jobId, long checkpointId) {
    return find(jobId).flatMap(job -> checkpoint(job, checkpointId));
  }

  private static Optional<CheckpointDetailView> checkpoint(JobCoordinator job, long id) {
    CheckpointCoordinator coordinator = job.checkpointCoordinator();
    if (coordinator == null) {
      return Optional.empty();
    }
    List<CheckpointDetails.Part> parts = coordinator.parts(id);
    if (parts == null) {
      return Optional.empty();
    }
    CheckpointHistoryView.Checkpoint summary = null;
    for (CheckpointStats c : coordinator.checkpoints()) {
      if (c.id() == id) {
        summary = entry(c);
      }
    }
    Map<Integer, List<CheckpointDetailView.Subtask>> byStage = new TreeMap<>();
    for (CheckpointDetails.Part part : parts) {
      byStage
          .computeIfAbsent(part.stage(), s -> new ArrayList<>())
          .add(
              new CheckpointDetailView.Subtask(
                  part.subtask(),
                  part.status().name(),
                  part.ackMillis(),
                  part.startDelayMillis(),
                  part.alignmentMillis(),
                  part.syncMillis(),
                  part.asyncMillis(),
                  part.stateBytes(),
                  part.uploadedBytes(),
                  part.failureReason()));
    }
    List<CheckpointDetailView.Stage> stages = new ArrayList<>();
    for (Map.Entry<Integer, List<CheckpointDetailView.Subtask>> stage : byStage.entrySet()) {
      stages.add(
          new CheckpointDetailView.Stage(
              stage.getKey(), stageName(job, stage.getKey()), stage.getValue()));
    }
    return Optional.of(
        new CheckpointDetailView(
            id, summary == null ? "IN_PROGRESS" : summary.status(), summary, stages));
  }

  private static String stageName(JobCoordinator job, int stageId) {
    for (JobTopology.Stage stage : job.topology().stages()) {
      if (stage.id() == stageId) {
        return stage.name();
      }
    }
    return "?";
  }

  @Override
  public Optional<List<JobException>> exceptions(String jobId) {
    return find(jobId).map(CoordinatorView::exceptions);
  }

  /** Each restart's cause, then the failure that ended the job, if it failed. */
  private static List<JobException> exceptions(JobCoordinator job) {
    List<JobException> all = new ArrayList<>();
    for (JobRestart restart : job.restarts()) {
      int failed = restart.attempt() - 1;
      all.add(
          exception(
              restart.atMillis(), failed, restart.cause(), true, job.failureOrigin(failed, null)));
    }
    Throwable failure = job.failure();
    if (failure != null && job.state() == PipelineResult.State.FAILED) {
      long at = job.endedAtMillis() < 0 ? System.currentTimeMillis() : job.endedAtMillis();
      int failed = job.attempt();
      all.add(
          exception(at, failed, failure.toString(), false, job.failureOrigin(failed, failure)));
    }
    return all;
  }

  private static JobException exception(
      long at, int attempt, String cause, boolean restarted, FailureOrigin origin) {
    if (origin == null) {
      return new JobException(at, attempt, cause, restarted);
    }
    return new JobException(
        at,
        attempt,
        cause,
        restarted,
        origin.stage(),
        origin.subtask(),
        origin.step(),
        origin.worker());
  }

  @Override
  public List<WorkerSummary> workers() {
    return workers.get();
  }

  @Override
  public Optional<WorkerDetail> worker(String name) {
    WorkerSummary summary = null;
    for (WorkerSummary w : workers.get()) {
      if (w.name().equals(name)) {
        summary = w;
      }
    }
    if (summary == null) {
      return Optional.empty();
    }
    // Subtasks of the running attempts placed on it that have not ended.
    int running = 0;
    for (JobCoordinator job : jobs.get()) {
      if (job.state() != PipelineResult.State.RUNNING) {
        continue;
      }
      int attempt = job.attempt();
      Map<TaskId, SubtaskIo> ended = job.endedSubtasksIo();
      for (Map.Entry<TaskId, String> placed : job.placement().entrySet()) {
        if (placed.getValue().equals(name)
            && placed.getKey().attempt() == attempt
            && !ended.containsKey(placed.getKey())) {
          running++;
        }
      }
    }
    ResourceUse use = resources.apply(name);
    if (use == null) {
      return Optional.of(new WorkerDetail(summary, running, -1, -1, -1, null));
    }
    RocksDbMemory rocks = use.rocksDb();
    return Optional.of(
        new WorkerDetail(
            summary,
            running,
            use.heapUsedBytes(),
            use.heapMaxBytes(),
            use.stateDirFreeBytes(),
            rocks == null
                ? null
                : new WorkerDetail.RocksDbMemory(
                    rocks.instances(),
                    rocks.blockCacheBytes(),
                    rocks.memtableBytes(),
                    rocks.tableReadersBytes())));
  }

  @Override
  public Optional<String> cancel(String jobId) {
    Optional<JobCoordinator> job = find(jobId);
    if (job.isEmpty()) {
      return Optional.empty();
    }
    // Returns at once: the state is CANCELLED once the subtasks have ended.
    job.get().cancel();
    return Optional.of(job.get().state().name());
  }
}
