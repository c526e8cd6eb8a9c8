package dev.weir.web;

import dev.weir.web.view.CheckpointHistoryView;
import dev.weir.web.view.ClusterView;
import dev.weir.web.view.JobDetail;
import dev.weir.web.view.JobMetrics;
import dev.weir.web.view.JobSummary;
import dev.weir.web.view.Overview;
import dev.weir.web.view.StageDetail;
import dev.weir.web.view.WorkerSummary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@code /metrics} exports, read from a {@link ClusterView} at each scrape: the cluster's
 * workers and jobs by state; per job (labels {@code job_name}, {@code job_id}) its restarts,
 * checkpoint counts by status and the latest completed checkpoint's duration and size, the element
 * count of every PCollection (label {@code step}: the producing transform, {@code pcollection}) and
 * the user's counters, distributions and gauges (labels {@code step}, {@code namespace}, {@code
 * name}), attempted values. Names start with {@code weir_}, are in base units (seconds, bytes), and
 * counters end in {@code _total}. No label takes an unbounded set of values per job (no attempt
 * ids, no subtask indexes), so a job exports as many series as it has steps and metrics.
 */
public final class ClusterMetrics {
  /** Beam's element-count URN, under which Weir counts each PCollection's elements. */
  static final String ELEMENT_COUNT = "beam:metric:element_count:v1";

  private ClusterMetrics() {}

  /** The exposition of {@code view} now, in the text format 0.0.4, without per-subtask series. */
  public static String scrape(ClusterView view) {
    return scrape(view, false);
  }

  /**
   * The exposition of {@code view} now, in the text format 0.0.4; with {@code perSubtask}
   * ({@code --metricsPerSubtask}) also each subtask's records and time use (label {@code
   * subtask}), series that grow with the parallelism.
   */
  public static String scrape(ClusterView view, boolean perSubtask) {
    PrometheusText text = new PrometheusText();
    Overview overview = view.overview();
    text.family("weir_workers", PrometheusText.Type.GAUGE, "Workers registered now.")
        .sample("weir_workers", Map.of(), overview.workers());
    text.family(
        "weir_worker_heartbeat_age_seconds",
        PrometheusText.Type.GAUGE,
        "Since the worker's latest heartbeat (workers in other processes).");
    for (WorkerSummary worker : view.workers()) {
      if (worker.millisSinceHeartbeat() >= 0) {
        text.sample(
            "weir_worker_heartbeat_age_seconds",
            Map.of("worker", worker.name()),
            worker.millisSinceHeartbeat() / 1000.0);
      }
    }
    text.family("weir_jobs", PrometheusText.Type.GAUGE, "Jobs the coordinator knows, by state.");
    for (Map.Entry<String, Integer> e : new TreeMap<>(overview.jobsByState()).entrySet()) {
      text.sample("weir_jobs", Map.of("state", e.getKey()), e.getValue().longValue());
    }
    text.family(
            "weir_job_start_time_seconds",
            PrometheusText.Type.GAUGE,
            "When the job was accepted, seconds since the epoch.")
        .family(
            "weir_job_restarts_total",
            PrometheusText.Type.COUNTER,
            "Restarts of the job after a failure.")
        .family(
            "weir_checkpoints_total",
            PrometheusText.Type.COUNTER,
            "Checkpoints of the job that ended, by status.")
        .family(
            "weir_checkpoint_last_duration_seconds",
            PrometheusText.Type.GAUGE,
            "Trigger to completion of the newest completed checkpoint.")
        .family(
            "weir_checkpoint_last_size_bytes",
            PrometheusText.Type.GAUGE,
            "State the newest completed checkpoint names in all.")
        .family(
            "weir_pcollection_elements_total",
            PrometheusText.Type.COUNTER,
            "Elements output to a PCollection (once per window), attempted.")
        .family(
            "weir_user_counter_total",
            PrometheusText.Type.COUNTER,
            "A Beam user counter, attempted.")
        .family(
            "weir_user_distribution",
            PrometheusText.Type.SUMMARY,
            "A Beam user distribution (sum and count), attempted.")
        .family(
            "weir_user_distribution_min",
            PrometheusText.Type.GAUGE,
            "The smallest value of a Beam user distribution, attempted.")
        .family(
            "weir_user_distribution_max",
            PrometheusText.Type.GAUGE,
            "The largest value of a Beam user distribution, attempted.")
        .family("weir_user_gauge", PrometheusText.Type.GAUGE, "A Beam user gauge, attempted.")
        .family(
            "weir_stage_busy_ratio",
            PrometheusText.Type.GAUGE,
            "The busiest subtask's share of time busy (not waiting for input or output credit).")
        .family(
            "weir_stage_backpressured_ratio",
            PrometheusText.Type.GAUGE,
            "The largest share of time a subtask of the stage waited for output credit.")
        .family(
            "weir_stage_idle_ratio",
            PrometheusText.Type.GAUGE,
            "The largest share of time a subtask of the stage waited for input.")
        .family(
            "weir_records_in_total",
            PrometheusText.Type.COUNTER,
            "Elements the stage's subtasks received on their input channels or read from a source,"
                + " this attempt.")
        .family(
            "weir_records_out_total",
            PrometheusText.Type.COUNTER,
            "Elements the stage's subtasks sent on their output channels, this attempt.");
    if (perSubtask) {
      text.family(
              "weir_subtask_records_in_total",
              PrometheusText.Type.COUNTER,
              "Elements the subtask received on its input channels or read from a source, this"
                  + " attempt.")
          .family(
              "weir_subtask_records_out_total",
              PrometheusText.Type.COUNTER,
              "Elements the subtask sent on its output channels, this attempt.")
          .family(
              "weir_subtask_busy_ratio",
              PrometheusText.Type.GAUGE,
              "The subtask's share of time busy.")
          .family(
              "weir_subtask_backpressured_ratio",
              PrometheusText.Type.GAUGE,
              "The subtask's share of time waiting for output credit.")
          .family(
              "weir_subtask_idle_ratio",
              PrometheusText.Type.GAUGE,
              "The subtask's share of time waiting for input.");
    }
    for (JobSummary job : view.jobs()) {
      Map<String, String> jobLabels = new LinkedHashMap<>();
      jobLabels.put("job_name", job.name());
      jobLabels.put("job_id", job.id());
      text.sample("weir_job_start_time_seconds", jobLabels, job.startMillis() / 1000.0);
      text.sample("weir_job_restarts_total", jobLabels, job.restarts());
      Optional<CheckpointHistoryView> checkpoints = view.checkpoints(job.id());
      if (checkpoints.isPresent() && checkpoints.get().enabled()) {
        CheckpointHistoryView c = checkpoints.get();
        text.sample("weir_checkpoints_total", with(jobLabels, "status", "completed"), c.completed());
        text.sample("weir_checkpoints_total", with(jobLabels, "status", "failed"), c.failed());
        for (int i = c.history().size() - 1; i >= 0; i--) {
          CheckpointHistoryView.Checkpoint k = c.history().get(i);
          if (k.status().equals("COMPLETED")) {
            text.sample(
                "weir_checkpoint_last_duration_seconds", jobLabels, k.durationMillis() / 1000.0);
            text.sample("weir_checkpoint_last_size_bytes", jobLabels, k.sizeBytes());
            break;
          }
        }
      }
      view.job(job.id())
          .ifPresent(detail -> stageSeries(text, view, jobLabels, detail, perSubtask));
      Optional<JobMetrics> metrics = view.metrics(job.id());
      if (metrics.isEmpty()) {
        continue;
      }
      for (JobMetrics.Counter c : metrics.get().counters()) {
        if (c.name().equals(ELEMENT_COUNT)) {
          Map<String, String> labels = with(jobLabels, "step", c.step());
          labels.put("pcollection", c.namespace());
          text.sample("weir_pcollection_elements_total", labels, c.attempted());
        } else {
          text.sample("weir_user_counter_total", metricLabels(jobLabels, c.step(), c.namespace(), c.name()), c.attempted());
        }
      }
      for (JobMetrics.Distribution d : metrics.get().distributions()) {
        Map<String, String> labels = metricLabels(jobLabels, d.step(), d.namespace(), d.name());
        text.sample("weir_user_distribution", "weir_user_distribution_sum", labels, d.attempted().sum());
        text.sample(
            "weir_user_distribution", "weir_user_distribution_count", labels, d.attempted().count());
        text.sample("weir_user_distribution_min", labels, d.attempted().min());
        text.sample("weir_user_distribution_max", labels, d.attempted().max());
      }
      for (JobMetrics.Gauge g : metrics.get().gauges()) {
        text.sample(
            "weir_user_gauge", metricLabels(jobLabels, g.step(), g.namespace(), g.name()), g.attempted());
      }
    }
    return text.toString();
  }

  /**
   * Per stage, the largest ratio of any of its subtasks and its records in and out (one series per
   * stage); per subtask too with {@code perSubtask}.
   */
  private static void stageSeries(
      PrometheusText text,
      ClusterView view,
      Map<String, String> jobLabels,
      JobDetail detail,
      boolean perSubtask) {
    Map<Integer, StageDetail> byId = new LinkedHashMap<>();
    for (StageDetail s : view.stages(detail.summary().id()).orElse(List.of())) {
      byId.put(s.stageId(), s);
    }
    for (JobDetail.Stage stage : detail.stages()) {
      Optional<StageDetail> status = Optional.ofNullable(byId.get(stage.id()));
      if (status.isEmpty()) {
        continue;
      }
      long busy = -1;
      long backpressured = -1;
      long idle = -1;
      long recordsIn = 0;
      long recordsOut = 0;
      for (StageDetail.SubtaskStatus s : status.get().subtasks()) {
        busy = Math.max(busy, s.busyMillisPerSecond());
        backpressured = Math.max(backpressured, s.backpressuredMillisPerSecond());
        idle = Math.max(idle, s.idleMillisPerSecond());
        recordsIn += s.recordsIn();
        recordsOut += s.recordsOut();
      }
      Map<String, String> labels = with(jobLabels, "stage", Integer.toString(stage.id()));
      if (busy >= 0) {
        text.sample("weir_stage_busy_ratio", labels, busy / 1000.0);
        text.sample("weir_stage_backpressured_ratio", labels, backpressured / 1000.0);
        text.sample("weir_stage_idle_ratio", labels, idle / 1000.0);
      }
      if (!status.get().subtasks().isEmpty()) {
        text.sample("weir_records_in_total", labels, recordsIn);
        text.sample("weir_records_out_total", labels, recordsOut);
      }
      if (!perSubtask) {
        continue;
      }
      for (StageDetail.SubtaskStatus s : status.get().subtasks()) {
        Map<String, String> subtask = with(labels, "subtask", Integer.toString(s.subtask()));
        text.sample("weir_subtask_records_in_total", subtask, s.recordsIn());
        text.sample("weir_subtask_records_out_total", subtask, s.recordsOut());
        if (s.busyMillisPerSecond() >= 0) {
          text.sample("weir_subtask_busy_ratio", subtask, s.busyMillisPerSecond() / 1000.0);
          text.sample(
              "weir_subtask_backpressured_ratio", subtask, s.backpressuredMillisPerSecond() / 1000.0);
          text.sample("weir_subtask_idle_ratio", subtask, s.idleMillisPerSecond() / 1000.0);
        }
      }
    }
  }

  private static Map<String, String> with(Map<String, String> labels, String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(labels);
    copy.put(name, value);
    return copy;
  }

  private static Map<String, String> metricLabels(
      Map<String, String> jobLabels, String step, String namespace, String name) {
    Map<String, String> labels = with(jobLabels, "step", step);
    labels.put("namespace", namespace);
    labels.put("name", name);
    return labels;
  }
}
