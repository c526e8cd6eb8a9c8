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

  /** {@link #generation()} of a view whose every read may differ: nothing read is reused. */
  long NO_GENERATION = -1;

  /**
   * A number that stays the same while what this view returns stays the same, up to the
   * staleness the view documents, and grows when it may have changed; the server then serves a
   * response it built at the same generation again instead of reading the view anew, so a page
   * read or a scrape costs one reading per generation however many clients ask. {@link
   * #NO_GENERATION} (the default): every request reads the view.
   */
  default long generation() {
    return NO_GENERATION;
  }

  /**
   * The part of {@link #generation()} that grows only when something changed state (a job's state,
   * attempt or checkpoints, the jobs or workers known), not when counts and watermarks were merely
   * read again: a response of the same state generation built moments ago may be served while a
   * newer one is built. By default the generation itself (every new generation is a new state).
   */
  default long stateGeneration() {
    return generation();
  }

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
