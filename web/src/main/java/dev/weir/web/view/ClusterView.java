package dev.weir.web.view;

import java.util.List;
import java.util.Optional;

/**
 * A read-only view of one coordinator's cluster for the web server: the coordinator implements
 * it, the server calls it on its request threads (any of them, concurrently), and every call
 * returns a fresh snapshot of plain values that the caller may keep. No call changes anything
 * but {@link #cancel}, which the server makes only for a request that {@code --webAllowCancel}
 * allows and that carries the cluster secret. An unknown job id gives an empty result (the server
 * answers 404).
 */
public interface ClusterView {

  /** Version, workers, slots and jobs by state. */
  Overview overview();

  /** Every job the coordinator still knows, in submission order. */
  List<JobSummary> jobs();

  /** One job with its plan and options. */
  Optional<JobDetail> job(String jobId);

  /** One stage of a job with its running subtasks' progress and time use. */
  Optional<StageDetail> stage(String jobId, int stageId);

  /**
   * Every stage of a job, in plan order, as {@link #stage} gives each; a view that can read its
   * subtasks' progress once for all stages overrides it.
   */
  default Optional<List<StageDetail>> stages(String jobId) {
    Optional<JobDetail> job = job(jobId);
    if (job.isEmpty()) {
      return Optional.empty();
    }
    List<StageDetail> stages = new java.util.ArrayList<>();
    for (JobDetail.Stage stage : job.get().stages()) {
      stage(jobId, stage.id()).ifPresent(stages::add);
    }
    return Optional.of(stages);
  }

  /** A job's user metrics (and Weir's element counts) per step, attempted and committed. */
  Optional<JobMetrics> metrics(String jobId);

  /** A job's checkpoint counts and its newest checkpoints. */
  Optional<CheckpointHistoryView> checkpoints(String jobId);

  /**
   * One of a job's newest checkpoints (in progress or ended), subtask by subtask; empty for an
   * unknown job or a checkpoint whose parts are no longer kept.
   */
  Optional<CheckpointDetailView> checkpoint(String jobId, long checkpointId);

  /** A job's failures, newest last, bounded. */
  Optional<List<JobException>> exceptions(String jobId);

  /** The workers registered now. */
  List<WorkerSummary> workers();

  /** One registered worker with its resources; empty for a name not registered now. */
  default Optional<WorkerDetail> worker(String name) {
    for (WorkerSummary w : workers()) {
      if (w.name().equals(name)) {
        return Optional.of(new WorkerDetail(w, 0, -1, -1, -1, null));
      }
    }
    return Optional.empty();
  }

  /**
   * Asks job {@code jobId} to cancel, as {@code PipelineResult.cancel()} does, and returns its
   * state after the request (e.g. {@code CANCELLED}, or {@code DONE} if it had ended); empty for
   * an unknown job. The only call that changes anything.
   */
  default Optional<String> cancel(String jobId) {
    throw new UnsupportedOperationException("this cluster view cannot cancel jobs");
  }
}
