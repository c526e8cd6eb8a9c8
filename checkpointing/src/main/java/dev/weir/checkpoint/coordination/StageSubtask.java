package dev.weir.checkpoint.coordination;

/** One subtask of one stage of a job's plan, the same in every attempt. */
public record StageSubtask(int stage, int subtask) implements Comparable<StageSubtask> {

  @Override
  public int compareTo(StageSubtask other) {
    int byStage = Integer.compare(stage, other.stage);
    return byStage != 0 ? byStage : Integer.compare(subtask, other.subtask);
  }

  @Override
  public String toString() {
    return "stage" + stage + "/" + subtask;
  }
}
