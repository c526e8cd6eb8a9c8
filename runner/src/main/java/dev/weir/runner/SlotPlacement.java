package dev.weir.runner;

import dev.weir.worker.task.WorkerGateway;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a job's subtasks go, by the workers' slots. A slot holds one subtask of each stage of a
 * job (as Flink's slot sharing has it): subtask i of every stage goes to slot i, so the subtasks
 * that forward edges connect share a worker, and a worker with {@code --slots=N} runs at most N
 * subtasks of any one stage of a job. Slots are handed out round robin over the workers (the first
 * slot of each worker, then the second of those that have two, ...), so a job narrower than the
 * cluster is spread over as many workers as it can use. A job needs as many slots as its widest
 * stage has subtasks; a worker in this JVM (the embedded cluster) has as many as any job needs.
 */
public final class SlotPlacement {
  private SlotPlacement() {}

  /** The slots a job needs: the subtask count of its widest stage. */
  public static int slotsNeeded(JobTopology plan) {
    int needed = 0;
    for (JobTopology.Stage stage : plan.stages()) {
      needed = Math.max(needed, stage.parallelism());
    }
    return needed;
  }

  /** All slots of {@code workers}, counted without overflow (unlimited ones count as needed). */
  public static long slotsOf(List<? extends WorkerGateway> workers) {
    long total = 0;
    for (WorkerGateway worker : workers) {
      total += Math.min(worker.slots(), Integer.MAX_VALUE / 2);
    }
    return total;
  }

  /**
   * Why {@code workers} cannot take {@code plan} (too few slots in all), or null if they can; the
   * message names the job's need, each worker's slots and what to change.
   */
  public static String refusal(
      String jobId, JobTopology plan, List<? extends WorkerGateway> workers) {
    return refusal(jobId, slotsNeeded(plan), workers);
  }

  static String refusal(String jobId, int needed, List<? extends WorkerGateway> workers) {
    long available = slotsOf(workers);
    if (needed <= available) {
      return null;
    }
    StringBuilder each = new StringBuilder();
    for (WorkerGateway worker : workers) {
      each.append(each.length() == 0 ? "" : ", ")
          .append(worker.name())
          .append(": ")
          .append(worker.slots());
    }
    return "Job "
        + jobId
        + " needs "
        + needed
        + " slots (a slot holds one subtask of each stage, and its widest stage has "
        + needed
        + " subtasks), but the "
        + workers.size()
        + " workers registered have "
        + available
        + " in all ("
        + each
        + "). Lower --parallelism, or start more workers or workers with more --slots.";
  }

  /**
   * The worker of each slot, {@code needed} of them: slot i takes subtask i of every stage. When
   * the workers have fewer slots than that (a restart after a worker was lost, with no
   * replacement), the slots are used again from the first, so some workers run more than their
   * share rather than the job stopping; {@link #overSubscribed} tells.
   */
  public static List<WorkerGateway> slots(List<? extends WorkerGateway> workers, int needed) {
    List<WorkerGateway> order = new ArrayList<>();
    for (int round = 0; order.size() < needed; round++) {
      int added = 0;
      for (WorkerGateway worker : workers) {
        if (worker.slots() > round && order.size() < needed) {
          order.add(worker);
          added++;
        }
      }
      if (added == 0) {
        break;
      }
    }
    int distinct = order.size();
    for (int i = distinct; i < needed && distinct > 0; i++) {
      order.add(order.get(i % distinct));
    }
    return order;
  }

  /** Whether {@code workers} have fewer slots than {@code needed}. */
  public static boolean overSubscribed(List<? extends WorkerGateway> workers, int needed) {
    return slotsOf(workers) < needed;
  }
}
