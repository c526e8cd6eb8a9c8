package dev.weir.translation;

import java.io.Serializable;

/**
 * A PCollection of the pipeline as the plan knows it: its id in the plan, the name Beam gave it and
 * the full name of the transform that produces it. Runner-made intermediate collections (a lifted
 * combine's partial accumulators) have none.
 */
public final class PCollectionPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String id;
  private final String name;
  private final String producer;

  PCollectionPlan(String id, String name, String producer) {
    this.id = id;
    this.name = name;
    this.producer = producer;
  }

  /** The id operators and edges use for it. */
  public String id() {
    return id;
  }

  /** {@link org.apache.beam.sdk.values.PCollection#getName()}. */
  public String name() {
    return name;
  }

  /** Full name of the producing transform: the step its metrics belong to. */
  public String producer() {
    return producer;
  }

  @Override
  public String toString() {
    return id + " (produced by '" + producer + "')";
  }
}
