package dev.weir.worker.task;

import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.CheckpointOutcome;
import dev.weir.checkpoint.proto.DeclineCheckpoint;
import dev.weir.checkpoint.proto.TriggerCheckpoint;
import dev.weir.worker.exchange.DataExchange;
import dev.weir.worker.usercode.JobClassLoaders;
import java.util.Collections;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.joda.time.Instant;

/**
 * A worker: its data exchange endpoint and the subtasks it runs, one thread each. The coordinator
 * deploys subtasks here and hears back through a {@link TaskListener}.
 */
public final class WorkerNode implements WorkerGateway, AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WorkerNode.class);
  private final String name;
  private final DataExchange exchange;
  private final StateBackendFactory backends;
  private final Supplier<Instant> clock;
  private final Map<TaskId, Thread> running = new ConcurrentHashMap<>();
  private final Map<TaskId, SubtaskRunner> runners = new ConcurrentHashMap<>();
  private final CheckpointUploads uploads = new CheckpointUploads();
  private final JobClassLoaders loaders;

  /** A worker that runs only jobs whose classes it has (the embedded cluster's). */
  public WorkerNode(
      String name, DataExchange exchange, StateBackendFactory backends, Supplier<Instant> clock) {
    this(name, exchange, backends, clock, JobClassLoaders.withoutArtifacts());
  }

  /** A worker that runs each job that staged jars in a class loader of its own from {@code loaders}. */
  public WorkerNode(
      String name,
      DataExchange exchange,
      StateBackendFactory backends,
      Supplier<Instant> clock,
      JobClassLoaders loaders) {
    this.name = name;
    this.exchange = exchange;
    this.backends = backends;
    this.clock = clock;
    this.loaders = loaders;
  }

  /** The job class loaders of this worker. */
  public JobClassLoaders loaders() {
    return loaders;
  }

  @Override
  public String name() {
    return name;
  }

  /** Where other workers send this worker's subtasks their input. */
  @Override
  public String exchangeAddress() {
    return exchange.address();
  }

  /** Starts a subtask; it reports to {@code listener} when it ends. */
  @Override
  public void deploy(TaskDeployment deployment, TaskListener listener) {
    TaskId id = deployment.taskId();
    TaskListener unregistering =
        new TaskListener() {
          @Override
          public void checkpointAcknowledged(TaskId task, AcknowledgeCheckpoint ack) {
            listener.checkpointAcknowledged(task, ack);
          }

          @Override
          public void checkpointDeclined(TaskId task, DeclineCheckpoint decline) {
            listener.checkpointDeclined(task, decline);
          }

          @Override
          public void taskFinished(TaskId task, SubtaskSummary summary) {
            // By id with attempt: a restarted attempt's subtask of the same index is another.
            running.remove(task);
            runners.remove(task);
            listener.taskFinished(task, summary);
          }

          @Override
          public void taskFailed(TaskId task, Throwable cause, SubtaskSummary summary) {
            if (!(cause instanceof InterruptedException
                || cause instanceof SubtaskInterruptedException)) {
              // The coordinator keeps one cause per attempt; the others are only here.
              LOG.warn("Subtask {} failed", task, cause);
            }
            running.remove(task);
            runners.remove(task);
            listener.taskFailed(task, cause, summary);
          }
        };
    SubtaskRunner runner = new SubtaskRunner(deployment, exchange, backends, unregistering, clock, uploads);
    // A job without staged jars runs with the classes of whoever deploys (as before loaders).
    ClassLoader deployerLoader = Thread.currentThread().getContextClassLoader();
    Thread thread = new Thread(() -> runInJobLoader(runner, deployment, unregistering, deployerLoader));
    thread.setDaemon(true);
    running.put(id, thread);
    runners.put(id, runner);
    thread.start();
  }

  /**
   * Runs the subtask with its job's class loader as the thread's context loader (its plan is
   * decoded there, and Beam looks user classes up there), and lets go of the loader once the
   * subtask has reported its end: the last subtask of the job here closes it.
   */
  private void runInJobLoader(
      SubtaskRunner runner,
      TaskDeployment deployment,
      TaskListener listener,
      ClassLoader deployerLoader) {
    TaskId id = deployment.taskId();
    ClassLoader jobLoader;
    try {
      jobLoader = loaders.acquire(id.jobId(), deployment.artifacts(), deployerLoader);
    } catch (Exception e) {
      listener.taskFailed(
          id,
          new IllegalStateException("Cannot load the classes of job " + id.jobId() + " for " + id, e),
          new SubtaskSummary(
              new org.apache.beam.runners.core.metrics.MetricsContainerStepMap(),
              Collections.emptyMap()));
      return;
    }
    Thread.currentThread().setContextClassLoader(jobLoader);
    try {
      runner.run();
    } finally {
      Thread.currentThread().setContextClassLoader(deployerLoader);
      loaders.release(id.jobId(), deployment.artifacts());
    }
  }

  @Override
  public List<SubtaskProgress> progress(String jobId) {
    List<SubtaskProgress> result = new ArrayList<>();
    for (Map.Entry<TaskId, SubtaskRunner> e : runners.entrySet()) {
      if (e.getKey().jobId().equals(jobId)) {
        result.add(e.getValue().progress());
      }
    }
    return result;
  }

  /** Where every subtask running on this worker is, of every job: for the periodic report. */
  public List<SubtaskProgress> progressOfAll() {
    List<SubtaskProgress> result = new ArrayList<>();
    for (SubtaskRunner runner : runners.values()) {
      result.add(runner.progress());
    }
    return result;
  }

  /** Breaks every channel of {@code jobId} and interrupts its subtasks. */
  @Override
  public void cancelJob(String jobId) {
    exchange.abortJob(jobId);
    for (Map.Entry<TaskId, Thread> e : running.entrySet()) {
      if (e.getKey().jobId().equals(jobId)) {
        e.getValue().interrupt();
      }
    }
  }

  /**
   * Breaks every channel of attempt {@code attempt} of {@code jobId} and interrupts its subtasks;
   * the subtasks of a later attempt, which may already run here, go on.
   */
  @Override
  public void cancelAttempt(String jobId, int attempt) {
    exchange.abortAttempt(jobId, attempt);
    for (Map.Entry<TaskId, Thread> e : running.entrySet()) {
      if (e.getKey().jobId().equals(jobId) && e.getKey().attempt() == attempt) {
        e.getValue().interrupt();
      }
    }
  }

  /** Hands the trigger to every subtask of the attempt here; only the sources take it. */
  @Override
  public void triggerCheckpoint(TriggerCheckpoint trigger) {
    for (SubtaskRunner runner : runnersOf(trigger.getJobId(), trigger.getAttempt())) {
      runner.triggerCheckpoint(trigger.getCheckpointId());
    }
  }

  @Override
  public void checkpointOutcome(CheckpointOutcome outcome) {
    for (SubtaskRunner runner : runnersOf(outcome.getJobId(), outcome.getAttempt())) {
      runner.checkpointOutcome(
          outcome.getCheckpointId(), outcome.getCompleted(), outcome.getReuploadSharedFiles());
    }
  }

  private List<SubtaskRunner> runnersOf(String jobId, int attempt) {
    List<SubtaskRunner> of = new ArrayList<>();
    for (Map.Entry<TaskId, SubtaskRunner> e : runners.entrySet()) {
      if (e.getKey().jobId().equals(jobId) && e.getKey().attempt() == attempt) {
        of.add(e.getValue());
      }
    }
    return of;
  }

  @Override
  public void close() {
    for (Thread t : running.values()) {
      t.interrupt();
    }
    uploads.close();
    exchange.close();
  }
}
