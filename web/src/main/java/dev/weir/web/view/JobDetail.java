package dev.weir.web.view;

import java.util.List;
import java.util.Map;

/**
 * One job with its plan.
 *
 * @param summary what the list of jobs shows
 * @param maxParallelism key groups
 * @param stages the stages, each with the Beam steps fused into it
 * @param edges the exchanges between stages
 * @param options the pipeline options as set (name to value as JSON text)
 */
public record JobDetail(
    JobSummary summary,
    int maxParallelism,
    List<Stage> stages,
    List<Edge> edges,
    Map<String, String> options) {
  public JobDetail {
    stages = List.copyOf(stages);
    edges = List.copyOf(edges);
    options = Map.copyOf(options);
  }

  /**
   * A stage: {@code steps} are the full names of the Beam transforms it runs, in order (a Beam
   * step's name is what the user named it, e.g. {@code Count.PerElement/Combine.perKey(Count)}).
   */
  public record Stage(int id, String name, int parallelism, List<String> steps) {
    public Stage {
      steps = List.copyOf(steps);
    }
  }

  /** An exchange from stage {@code from} to stage {@code to}; {@code kind} as the plan names it. */
  public record Edge(int id, int from, int to, String kind) {}
}
