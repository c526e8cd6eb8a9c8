package dev.weir.translation;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What a job runs: stages in topological order and the edges between them. A plain serializable
 * value, made by {@link PipelineTranslator} and shipped to every worker.
 */
public final class ExecutionPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String jobName;
  private final int maxParallelism;
  private final List<StagePlan> stages;
  private final List<EdgePlan> edges;
  private final boolean testClock;
  private final boolean unbounded;
  private final Map<String, PCollectionPlan> pcollections;

  ExecutionPlan(
      String jobName,
      int maxParallelism,
      List<StagePlan> stages,
      List<EdgePlan> edges,
      boolean testClock,
      boolean unbounded,
      Map<String, PCollectionPlan> pcollections) {
    this.jobName = jobName;
    this.testClock = testClock;
    this.unbounded = unbounded;
    this.maxParallelism = maxParallelism;
    this.stages = Collections.unmodifiableList(new ArrayList<>(stages));
    this.edges = Collections.unmodifiableList(new ArrayList<>(edges));
    this.pcollections = Collections.unmodifiableMap(new HashMap<>(pcollections));
  }

  public String jobName() {
    return jobName;
  }

  /** Number of key groups. */
  public int maxParallelism() {
    return maxParallelism;
  }

  /** Stages in topological order; a stage's id is its index here. */
  public List<StagePlan> stages() {
    return stages;
  }

  /** Edges; an edge's id is its index here. */
  public List<EdgePlan> edges() {
    return edges;
  }

  public StagePlan stage(int id) {
    return stages.get(id);
  }

  public EdgePlan edge(int id) {
    return edges.get(id);
  }

  /**
   * The plan as a subtask of stage {@code stageId} needs it: that stage with its operators, every
   * other stage as an {@linkplain StagePlan#outline() outline} (same ids, parallelism and edges), and
   * all edges. Shipping the whole plan to every subtask made each subtask deserialize the user code
   * of every stage, so a job's heap grew with stages × subtasks × the size of its user code (PAssert
   * carries its expected elements in its DoFn).
   */
  public ExecutionPlan forStage(int stageId) {
    List<StagePlan> sliced = new ArrayList<>(stages.size());
    for (StagePlan s : stages) {
      sliced.add(s.id() == stageId ? s : s.outline());
    }
    return new ExecutionPlan(
        jobName, maxParallelism, sliced, edges, testClock, unbounded, pcollections);
  }

  /**
   * The pipeline's PCollection with plan id {@code id}, or null for a collection the runner made
   * (nothing in the user's pipeline corresponds to it).
   */
  public @Nullable PCollectionPlan pcollection(String id) {
    return pcollections.get(id);
  }

  /**
   * True if the job runs on a test clock (it has a TestStream): processing time starts at the
   * minimum timestamp and advances in-band, as the TestStream says, instead of with the wall clock.
   */
  public boolean testClock() {
    return testClock;
  }

  /**
   * True if some PCollection of the job is unbounded. Then processing time follows the wall clock
   * to the end; a bounded job instead jumps to each next timer once its input has ended.
   */
  public boolean unbounded() {
    return unbounded;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ExecutionPlan '" + jobName + "'");
    for (StagePlan s : stages) {
      sb.append("\n  ").append(s);
    }
    for (EdgePlan e : edges) {
      sb.append("\n  ").append(e);
    }
    return sb.toString();
  }
}
