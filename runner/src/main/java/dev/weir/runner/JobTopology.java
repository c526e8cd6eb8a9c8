package dev.weir.runner;

import com.google.protobuf.ByteString;
import dev.weir.runner.cluster.v1.EdgeTopology;
import dev.weir.runner.cluster.v1.OperatorTopology;
import dev.weir.runner.cluster.v1.StageTopology;
import dev.weir.translation.EdgePlan;
import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.StagePlan;
import dev.weir.worker.usercode.JobArtifact;
import dev.weir.worker.usercode.UserCodeBytes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link JobCoordinator} needs of a translated pipeline to place, follow and checkpoint its
 * subtasks: the stages (id, name, parallelism, operator names and URNs), the edges between them,
 * the number of key groups, and each stage's plan as opaque user-code bytes that only the workers
 * decode. A coordinator that is handed a topology never needs the job's classes: a standalone
 * coordinator receives it as the {@code JobTopology} message the client built.
 */
public final class JobTopology {
  private final int maxParallelism;
  private final List<Stage> stages;
  private final Map<Integer, Edge> edges;
  private final List<Edge> edgeOrder;
  private final List<JobArtifact> artifacts;

  /** One stage; {@code stagePlan} is the user-code bytes of the plan with its operators only. */
  public record Stage(
      int id, String name, int parallelism, List<Operator> operators, byte[] stagePlan) {
    /** The operators' full transform names, in order (checkpointed state is keyed by them). */
    public List<String> operatorNames() {
      List<String> names = new ArrayList<>();
      for (Operator op : operators) {
        names.add(op.name());
      }
      return names;
    }
  }

  /** An operator of a stage: its full transform name and URN. */
  public record Operator(String name, String urn) {}

  /** An edge from one stage to another; {@code kind} is the translation's exchange kind's name. */
  public record Edge(int id, int fromStage, int toStage, String kind) {}

  private JobTopology(int maxParallelism, List<Stage> stages, List<Edge> edges) {
    this(maxParallelism, stages, edges, List.of());
  }

  private JobTopology(
      int maxParallelism, List<Stage> stages, List<Edge> edges, List<JobArtifact> artifacts) {
    this.artifacts = List.copyOf(artifacts);
    this.maxParallelism = maxParallelism;
    this.stages = List.copyOf(stages);
    Map<Integer, Edge> byId = new HashMap<>();
    for (Edge edge : edges) {
      byId.put(edge.id(), edge);
    }
    this.edges = byId;
    this.edgeOrder = List.copyOf(edges);
  }

  /** The topology of {@code plan}, each stage's plan serialized here (by whoever has its classes). */
  public static JobTopology of(ExecutionPlan plan) {
    List<Stage> stages = new ArrayList<>();
    for (StagePlan stage : plan.stages()) {
      List<Operator> operators = new ArrayList<>();
      for (OperatorPlan op : stage.operators()) {
        operators.add(new Operator(op.name(), op.urn()));
      }
      stages.add(
          new Stage(
              stage.id(),
              stage.name(),
              stage.parallelism(),
              List.copyOf(operators),
              UserCodeBytes.encode(plan.forStage(stage.id()))));
    }
    List<Edge> edges = new ArrayList<>();
    for (EdgePlan edge : plan.edges()) {
      edges.add(new Edge(edge.id(), edge.fromStage(), edge.toStage(), edge.kind().name()));
    }
    return new JobTopology(plan.maxParallelism(), stages, edges);
  }

  /** The topology a client sent; the stage plans stay bytes. */
  public static JobTopology fromProto(dev.weir.runner.cluster.v1.JobTopology message) {
    List<Stage> stages = new ArrayList<>();
    for (StageTopology stage : message.getStagesList()) {
      List<Operator> operators = new ArrayList<>();
      for (OperatorTopology op : stage.getOperatorsList()) {
        operators.add(new Operator(op.getName(), op.getUrn()));
      }
      if (stage.getParallelism() < 1) {
        throw new IllegalArgumentException(
            "Stage " + stage.getId() + " has parallelism " + stage.getParallelism());
      }
      stages.add(
          new Stage(
              stage.getId(),
              stage.getName(),
              stage.getParallelism(),
              List.copyOf(operators),
              stage.getStagePlan().toByteArray()));
    }
    List<Edge> edges = new ArrayList<>();
    for (EdgeTopology edge : message.getEdgesList()) {
      edges.add(new Edge(edge.getId(), edge.getFromStage(), edge.getToStage(), edge.getKind()));
    }
    return new JobTopology(message.getMaxParallelism(), stages, edges);
  }

  public dev.weir.runner.cluster.v1.JobTopology toProto() {
    dev.weir.runner.cluster.v1.JobTopology.Builder message =
        dev.weir.runner.cluster.v1.JobTopology.newBuilder().setMaxParallelism(maxParallelism);
    for (Stage stage : stages) {
      StageTopology.Builder s =
          StageTopology.newBuilder()
              .setId(stage.id())
              .setName(stage.name())
              .setParallelism(stage.parallelism())
              .setStagePlan(ByteString.copyFrom(stage.stagePlan()));
      for (Operator op : stage.operators()) {
        s.addOperators(OperatorTopology.newBuilder().setName(op.name()).setUrn(op.urn()));
      }
      message.addStages(s);
    }
    for (Edge edge : edgeOrder) {
      message.addEdges(
          EdgeTopology.newBuilder()
              .setId(edge.id())
              .setFromStage(edge.fromStage())
              .setToStage(edge.toStage())
              .setKind(edge.kind()));
    }
    return message.build();
  }

  /** This job, whose classes are in the staged {@code jars} (the workers load them from there). */
  public JobTopology withArtifacts(List<JobArtifact> jars) {
    return new JobTopology(maxParallelism, stages, edgeOrder, jars);
  }

  /** The jars the job staged; empty if the workers have its classes. */
  public List<JobArtifact> artifacts() {
    return artifacts;
  }

  public int maxParallelism() {
    return maxParallelism;
  }

  public List<Stage> stages() {
    return stages;
  }

  /** The edges in the plan's order. */
  public List<Edge> edges() {
    return edgeOrder;
  }

  public Edge edge(int id) {
    Edge edge = edges.get(id);
    if (edge == null) {
      throw new IllegalArgumentException("No edge " + id + " in this job");
    }
    return edge;
  }
}
