package dev.weir.portability;

import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ViewFn;
import org.apache.beam.sdk.transforms.windowing.WindowMappingFn;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * A side input of a portable pipeline as Weir's engine routes it: nothing but a tag (the id of the
 * PCollection read as a side input) naming the broadcast edge that carries it and the operator
 * that reads it. The view's meaning (window mapping, view function) is the SDK harness's business,
 * so those parts are not available here.
 */
final class SideInputView implements PCollectionView<Object> {
  private static final long serialVersionUID = 1L;

  private final TupleTag<?> tag;

  SideInputView(String pcollection) {
    this.tag = new TupleTag<>(pcollection);
  }

  /** The id of the PCollection this side input reads. */
  String pcollection() {
    return tag.getId();
  }

  @Override
  public TupleTag<?> getTagInternal() {
    return tag;
  }

  @Override
  public String getName() {
    return tag.getId();
  }

  private UnsupportedOperationException harnessOnly() {
    return new UnsupportedOperationException(
        "Side input " + tag.getId() + " of a portable pipeline is read in the SDK harness");
  }

  @Override
  public PCollection<?> getPCollection() {
    throw harnessOnly();
  }

  @Override
  public ViewFn<?, Object> getViewFn() {
    throw harnessOnly();
  }

  @Override
  public WindowMappingFn<?> getWindowMappingFn() {
    throw harnessOnly();
  }

  @Override
  public WindowingStrategy<?, ?> getWindowingStrategyInternal() {
    throw harnessOnly();
  }

  @Override
  public Coder<?> getCoderInternal() {
    throw harnessOnly();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(tag, this);
  }

  @Override
  public void finishSpecifying(PInput input, PTransform<?, ?> transform) {}

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}

  @Override
  public Pipeline getPipeline() {
    throw harnessOnly();
  }
}
