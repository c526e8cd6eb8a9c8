package dev.weir.translation;

import java.io.Serializable;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * One primitive transform inside a stage: the PCollections it reads (by id) and the PCollections
 * it writes (output tag id to PCollection id). Subclasses carry what the worker needs to run it.
 */
public abstract class OperatorPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final String urn;
  private final List<String> inputs;
  private final Map<String, String> outputs;

  protected OperatorPlan(
      String name, String urn, List<String> inputs, Map<String, String> outputs) {
    this.name = name;
    this.urn = urn;
    this.inputs = Collections.unmodifiableList(inputs);
    this.outputs = Collections.unmodifiableMap(outputs);
  }

  /** Full name of the transform in the pipeline: the step name for metrics and messages. */
  public String name() {
    return name;
  }

  public String urn() {
    return urn;
  }

  /** PCollection ids of the main inputs. */
  public List<String> inputs() {
    return inputs;
  }

  /** Output tag id to PCollection id. */
  public Map<String, String> outputs() {
    return outputs;
  }

  /** The side inputs the operator reads; they arrive on broadcast edges. */
  public List<PCollectionView<?>> sideInputs() {
    return Collections.emptyList();
  }

  /** True if the operator keeps state per key and needs its input routed by key. */
  public boolean isKeyed() {
    return false;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + " '" + name + "' " + inputs + " -> " + outputs.values();
  }
}
