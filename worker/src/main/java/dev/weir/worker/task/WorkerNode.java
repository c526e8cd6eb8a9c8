package dev.weir.worker.task;

import dev.weir.worker.exchange.DataExchange;
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
  private final String name;
  private final DataExchange exchange;
  private final StateBackendFactory backends;
  private final Supplier<Instant> clock;
  private final Map<TaskId, Thread> running = new ConcurrentHashMap<>();
  private final Map<TaskId, SubtaskRunner> runners = new ConcurrentHashMap<>();

  public WorkerNode(
      String name, DataExchange exchange, StateBackendFactory backends, Supplier<Instant> clock) {
    this.name = name;
    this.exchange = exchange;
    this.backends = backends;
    this.clock = clock;
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
          public void taskFinished(TaskId task, SubtaskSummary summary) {
            running.remove(task);
            runners.remove(task);
            listener.taskFinished(task, summary);
          }

          @Override
          public void taskFailed(TaskId task, Throwable cause, SubtaskSummary summary) {
            running.remove(task);
            runners.remove(task);
            listener.taskFailed(task, cause, summary);
          }
        };
    SubtaskRunner runner = new SubtaskRunner(deployment, exchange, backends, unregistering, clock);
    Thread thread = new Thread(runner);
    thread.setDaemon(true);
    running.put(id, thread);
    runners.put(id, runner);
    thread.start();
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

  @Override
  public void close() {
    for (Thread t : running.values()) {
      t.interrupt();
    }
    exchange.close();
  }
}
