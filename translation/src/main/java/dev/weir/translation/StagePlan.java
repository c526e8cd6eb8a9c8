package dev.weir.translation;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A stage: a chain (in general a small DAG) of fused operators that run together in each of the
 * stage's subtasks, fed by input edges and feeding output edges. Operators are listed in
 * topological order.
 */
public final class StagePlan implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int id;
  private final String name;
  private int parallelism;
  private final List<OperatorPlan> operators = new ArrayList<>();
  private final List<Integer> inputEdges = new ArrayList<>();
  private final List<Integer> outputEdges = new ArrayList<>();

  StagePlan(int id, String name, int parallelism) {
    this.id = id;
    this.name = name;
    this.parallelism = parallelism;
  }

  public int id() {
    return id;
  }

  /** The full name of the transform that starts the stage, for messages and metrics. */
  public String name() {
    return name;
  }

  public int parallelism() {
    return parallelism;
  }

  void setParallelism(int parallelism) {
    this.parallelism = parallelism;
  }

  public List<OperatorPlan> operators() {
    return Collections.unmodifiableList(operators);
  }

  public List<Integer> inputEdges() {
    return Collections.unmodifiableList(inputEdges);
  }

  public List<Integer> outputEdges() {
    return Collections.unmodifiableList(outputEdges);
  }

  /**
   * This stage without its operators: what a subtask of another stage needs to know of it (its
   * parallelism, its edges), without deserializing its user code.
   */
  StagePlan outline() {
    StagePlan outline = new StagePlan(id, name, parallelism);
    outline.inputEdges.addAll(inputEdges);
    outline.outputEdges.addAll(outputEdges);
    return outline;
  }

  void addOperator(OperatorPlan op) {
    operators.add(op);
  }

  void addInputEdge(int edge) {
    inputEdges.add(edge);
  }

  void addOutputEdge(int edge) {
    outputEdges.add(edge);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("stage " + id + " '" + name + "' x" + parallelism + ":");
    for (OperatorPlan op : operators) {
      sb.append("\n    ").append(op);
    }
    return sb.toString();
  }
}
