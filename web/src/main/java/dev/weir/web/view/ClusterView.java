package dev.weir.web.view;

import java.util.List;
import java.util.Optional;

/**
 * A read-only view of one coordinator's cluster for the web server: the coordinator implements
 * it, the server calls it on its request threads (any of them, concurrently), and every call
 * returns a fresh snapshot of plain values that the caller may keep. No call changes anything.
 * An unknown job id gives an empty result (the server answers 404).
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

  /** A job's user metrics (and Weir's element counts) per step, attempted and committed. */
  Optional<JobMetrics> metrics(String jobId);

  /** A job's checkpoint counts and its newest checkpoints. */
  Optional<CheckpointHistoryView> checkpoints(String jobId);

  /** A job's failures, newest last, bounded. */
  Optional<List<JobException>> exceptions(String jobId);

  /** The workers registered now. */
  List<WorkerSummary> workers();
}
