package dev.weir.web;

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
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fixed cluster for the web module's own tests: one running job, {@code job-1}, whose steps
 * include a name with HTML in it and one 300 characters long, with counters, a distribution, a
 * gauge, two checkpoints and a restart.
 */
final class FakeClusterView implements ClusterView {
  static final String JOB = "job-1";
  static final String SCRIPT_STEP = "<script>alert('x')</script>\"quoted\\";
  static final String LONG_STEP = "Long/" + "x".repeat(295);

  private final JobSummary summary = new JobSummary(JOB, "wordcount", "RUNNING", 1_700_000_000_000L, -1, 1, 1);

  @Override
  public Overview overview() {
    return new Overview("0.1.0-SNAPSHOT", 2, 4, Map.of("RUNNING", 1));
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
    return Optional.of(
        new JobDetail(
            summary,
            128,
            List.of(
                new JobDetail.Stage(0, "Read", 2, List.of("Read/Impulse", "Read/ParDo(Split)")),
                new JobDetail.Stage(1, "Count", 2, List.of(SCRIPT_STEP, LONG_STEP))),
            List.of(new JobDetail.Edge(0, 0, 1, "KEYED")),
            Map.of("parallelism", "2", "jobName", "\"wordcount\"")));
  }

  @Override
  public Optional<StageDetail> stage(String jobId, int stageId) {
    if (!jobId.equals(JOB) || stageId < 0 || stageId > 1) {
      return Optional.empty();
    }
    if (stageId == 0) {
      // No subtask has reported yet.
      return Optional.of(
          new StageDetail(JOB, 0, "Read", 2, List.of("Read/Impulse", "Read/ParDo(Split)"), List.of()));
    }
    return Optional.of(
        new StageDetail(
            JOB,
            1,
            "Count",
            2,
            List.of(SCRIPT_STEP, LONG_STEP),
            List.of(
                new StageDetail.SubtaskStatus(
                    0, 1, "w1", 500, 1000, 900, 850, 100, 50, false, 480, 38_400, 470, 37_600),
                new StageDetail.SubtaskStatus(
                    1, 1, "w2", -1, END, END, -1, -1, -1, true, 300, 24_000, 290, 23_200))));
  }

  @Override
  public Optional<JobMetrics> metrics(String jobId) {
    if (!jobId.equals(JOB)) {
      return Optional.empty();
    }
    return Optional.of(
        new JobMetrics(
            List.of(
                new JobMetrics.Counter(SCRIPT_STEP, "ns", "lines", 42, 40L),
                new JobMetrics.Counter(LONG_STEP, "ns", "uncommitted", 7, null),
                new JobMetrics.Counter(
                    "Read/ParDo(Split)", "Read/ParDo(Split).out0", ClusterMetrics.ELEMENT_COUNT, 1000, 990L)),
            List.of(
                new JobMetrics.Distribution(
                    "Read/ParDo(Split)",
                    "ns",
                    "lineLength",
                    new JobMetrics.DistributionValue(3, 30, 5, 15),
                    null)),
            List.of(new JobMetrics.Gauge("Read/ParDo(Split)", "ns", "latest", 9, 9L))));
  }

  @Override
  public Optional<CheckpointHistoryView> checkpoints(String jobId) {
    if (!jobId.equals(JOB)) {
      return Optional.empty();
    }
    return Optional.of(
        new CheckpointHistoryView(
            true,
            1,
            1,
            1,
            List.of(
                new CheckpointHistoryView.Checkpoint(
                    1, 0, "COMPLETED", 1_700_000_001_000L, 250, 4096, 1024, 10, 200, null),
                new CheckpointHistoryView.Checkpoint(
                    2, 0, "FAILED", 1_700_000_002_000L, 600_000, 0, 0, 0, 0, "timed out"))));
  }

  @Override
  public Optional<CheckpointDetailView> checkpoint(String jobId, long checkpointId) {
    if (!jobId.equals(JOB) || checkpointId != 2) {
      return Optional.empty();
    }
    return Optional.of(
        new CheckpointDetailView(
            2,
            "FAILED",
            new CheckpointHistoryView.Checkpoint(
                2, 0, "FAILED", 1_700_000_002_000L, 600_000, 0, 0, 0, 0, "timed out"),
            List.of(
                new CheckpointDetailView.Stage(
                    0,
                    "stage-0",
                    List.of(
                        new CheckpointDetailView.Subtask(
                            0, "ACKNOWLEDGED", 120, 5, 3, 10, 100, 4096, 1024, null),
                        new CheckpointDetailView.Subtask(
                            1, "PENDING", -1, -1, 0, 0, 0, 0, 0, null))),
                new CheckpointDetailView.Stage(
                    1,
                    "stage-1",
                    List.of(
                        new CheckpointDetailView.Subtask(
                            0, "DECLINED", -1, -1, 0, 0, 0, 0, 0, "<b>no</b> state"))))));
  }

  @Override
  public Optional<List<JobException>> exceptions(String jobId) {
    if (!jobId.equals(JOB)) {
      return Optional.empty();
    }
    return Optional.of(
        List.of(
            new JobException(
                1_700_000_003_000L,
                0,
                "java.lang.IllegalStateException: <b>boom</b>",
                true,
                1,
                0,
                "Parse/ParMultiDo(Parse)",
                "w1"),
            new JobException(1_700_000_004_000L, 1, "lost worker w2", false)));
  }

  /** The watermark of a subtask that has finished: the end of the global window. */
  static final long END = 9223372036854775L;

  /** The jobs cancelled through {@link #cancel}. */
  final List<String> cancelled = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public Optional<String> cancel(String jobId) {
    if (!jobId.equals(JOB)) {
      return Optional.empty();
    }
    cancelled.add(jobId);
    return Optional.of("CANCELLED");
  }

  @Override
  public Optional<dev.weir.web.view.WorkerDetail> worker(String name) {
    if (name.equals("w1")) {
      return Optional.of(
          new dev.weir.web.view.WorkerDetail(
              workers().get(0),
              3,
              100_000_000,
              1_000_000_000,
              50_000_000_000L,
              new dev.weir.web.view.WorkerDetail.RocksDbMemory(2, 4096, 65_536, 1024)));
    }
    if (name.equals("w2")) {
      return Optional.of(new dev.weir.web.view.WorkerDetail(workers().get(1), 0, -1, -1, -1, null));
    }
    return Optional.empty();
  }

  @Override
  public List<WorkerSummary> workers() {
    return List.of(
        new WorkerSummary("w1", 2, "127.0.0.1:4001", 120),
        new WorkerSummary("w2", 2, "127.0.0.1:4002", 80));
  }
}
