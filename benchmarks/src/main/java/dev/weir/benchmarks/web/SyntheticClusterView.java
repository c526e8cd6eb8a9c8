package dev.weir.benchmarks.web;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fixed cluster of one running job with {@code stages} stages in a chain, each at {@code
 * parallelism}, three Beam steps of realistic length per stage, two PCollections and two user
 * counters and a distribution per stage, every subtask reporting time use and records, and a full
 * checkpoint history (1000 entries). Built once; every call returns the same values, as fresh
 * objects where the coordinator's view makes them per call (stages, metrics), so a request costs
 * what it would with the coordinator's own view minus reading the coordinator's state.
 */
final class SyntheticClusterView implements ClusterView {
  static final String JOB = "wide-job-0001";

  private final int stages;
  private final int parallelism;
  private final JobSummary summary;

  SyntheticClusterView(int stages, int parallelism) {
    this.stages = stages;
    this.parallelism = parallelism;
    this.summary = new JobSummary(JOB, "wide", "RUNNING", 1_700_000_000_000L, -1, 0, 0);
  }

  private static String step(int stage, int i) {
    return "Stage" + stage + "/Composite transform number " + i + "/ParDo(SomeUserFunction)/ParMultiDo(Fn)";
  }

  @Override
  public Overview overview() {
    return new Overview("bench", 4, 32, Map.of("RUNNING", 1));
  }

  @Override
  public List<JobSummary> jobs() {
    return List.of(summary);
  }

  @Override
  public Optional<JobDetail> job(String jobId) {
    if (!jobId.equals(JOB)) {
      return Optional.empty();
    }
    List<JobDetail.Stage> plan = new ArrayList<>();
    List<JobDetail.Edge> edges = new ArrayList<>();
    for (int s = 0; s < stages; s++) {
      plan.add(new JobDetail.Stage(s, "stage-" + s, parallelism, List.of(step(s, 0), step(s, 1), step(s, 2))));
      if (s > 0) {
        edges.add(new JobDetail.Edge(s - 1, s - 1, s, "KEYED"));
      }
    }
    return Optional.of(new JobDetail(summary, 128, plan, edges, Map.of("parallelism", "8")));
  }

  @Override
  public Optional<StageDetail> stage(String jobId, int stageId) {
    if (!jobId.equals(JOB) || stageId < 0 || stageId >= stages) {
      return Optional.empty();
    }
    List<StageDetail.SubtaskStatus> subtasks = new ArrayList<>();
    for (int i = 0; i < parallelism; i++) {
      subtasks.add(
          new StageDetail.SubtaskStatus(
              i, 0, "worker-" + (i % 4), 1_000_000L + i, 1_700_000_000_000L, 1_700_000_000_000L - 5,
              600, 300, 100, false, 1_000_000L * i, 80_000_000L * i, 990_000L * i, 79_000_000L * i));
    }
    return Optional.of(
        new StageDetail(
            jobId, stageId, "stage-" + stageId, parallelism,
            List.of(step(stageId, 0), step(stageId, 1), step(stageId, 2)), subtasks));
  }

  @Override
  public Optional<JobMetrics> metrics(String jobId) {
    if (!jobId.equals(JOB)) {
      return Optional.empty();
    }
    List<JobMetrics.Counter> counters = new ArrayList<>();
    List<JobMetrics.Distribution> distributions = new ArrayList<>();
    for (int s = 0; s < stages; s++) {
      for (int i = 0; i < 2; i++) {
        counters.add(
            new JobMetrics.Counter(step(s, i), step(s, i) + ".out0", "beam:metric:element_count:v1", 1_000_000L, null));
        counters.add(new JobMetrics.Counter(step(s, i), "user", "records" + i, 500_000L, 400_000L));
      }
      JobMetrics.DistributionValue d = new JobMetrics.DistributionValue(1000, 50_000, 1, 99);
      distributions.add(new JobMetrics.Distribution(step(s, 2), "user", "latency", d, d));
    }
    return Optional.of(new JobMetrics(counters, distributions, List.of()));
  }

  @Override
  public Optional<CheckpointHistoryView> checkpoints(String jobId) {
    if (!jobId.equals(JOB)) {
      return Optional.empty();
    }
    List<CheckpointHistoryView.Checkpoint> history = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      history.add(
          new CheckpointHistoryView.Checkpoint(
              i + 1, 0, "COMPLETED", 1_700_000_000_000L + i * 1000L, 300, 1 << 20, 1 << 16, 20, 200, null));
    }
    return Optional.of(new CheckpointHistoryView(true, 1000, 0, 1000, history));
  }

  @Override
  public Optional<CheckpointDetailView> checkpoint(String jobId, long checkpointId) {
    return Optional.empty();
  }

  @Override
  public Optional<List<JobException>> exceptions(String jobId) {
    return jobId.equals(JOB) ? Optional.of(List.of()) : Optional.empty();
  }

  @Override
  public List<WorkerSummary> workers() {
    List<WorkerSummary> workers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      workers.add(new WorkerSummary("worker-" + i, 8, "127.0.0.1:" + (5000 + i), 200));
    }
    return workers;
  }
}
