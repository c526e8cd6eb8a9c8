package dev.weir.portability;

import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.Materialization;
import org.apache.beam.sdk.transforms.Materializations;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ViewFn;
import org.apache.beam.sdk.transforms.windowing.WindowMappingFn;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A side input of a portable pipeline as Weir's engine routes it: a tag (the id of the PCollection
 * read as a side input) naming the broadcast edge that carries it and the operator that reads it.
 * The view's meaning (view function) is the SDK harness's business. Of a pipeline with unbounded
 * PCollections it also has the side input's windowing, which says when a window of it is ready
 * ({@link WindowedSideInputs}): its windowing strategy, the default window mapping of its window
 * fn, and its elements' runner wire coder; its view function hands a window's elements over as
 * they are, for the harness's requests.
 */
final class SideInputView implements PCollectionView<Object> {
  private static final long serialVersionUID = 1L;

  private final TupleTag<?> tag;
  private final @Nullable WindowingStrategy<?, ?> windowing;
  private final @Nullable Coder<?> elementCoder;

  /** A side input that is read once complete: the only way of a bounded pipeline. */
  SideInputView(String pcollection) {
    this(pcollection, null, null);
  }

  /** A side input whose windows are ready one by one, as its watermark passes them. */
  SideInputView(
      String pcollection,
      @Nullable WindowingStrategy<?, ?> windowing,
      @Nullable Coder<?> elementCoder) {
    this.tag = new TupleTag<>(pcollection);
    this.windowing = windowing;
    this.elementCoder = elementCoder;
  }

  /** True if this view has its windowing ({@link #SideInputView(String, WindowingStrategy, Coder)}). */
  boolean windowed() {
    return windowing != null;
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
  @SuppressWarnings({"unchecked", "rawtypes"})
  public ViewFn<?, Object> getViewFn() {
    if (windowing == null) {
      throw harnessOnly();
    }
    return (ViewFn) new ElementsViewFn();
  }

  /**
   * The side input window's default mapping (as Flink's portable runner does): the SDK's own
   * mapping function may be another language's. The harness maps windows itself; this one only
   * says which window of the side input a main-input element waits for.
   */
  @Override
  public WindowMappingFn<?> getWindowMappingFn() {
    if (windowing == null) {
      throw harnessOnly();
    }
    return windowing.getWindowFn().getDefaultWindowMappingFn();
  }

  @Override
  public WindowingStrategy<?, ?> getWindowingStrategyInternal() {
    if (windowing == null) {
      throw harnessOnly();
    }
    return windowing;
  }

  @Override
  public Coder<?> getCoderInternal() {
    if (elementCoder == null) {
      throw harnessOnly();
    }
    return elementCoder;
  }

  /** A window's elements as they arrived: what the harness's side-input requests are answered from. */
  static final class ElementsViewFn extends ViewFn<Materializations.IterableView<Object>, Iterable<Object>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Materialization<Materializations.IterableView<Object>> getMaterialization() {
      return Materializations.iterable();
    }

    @Override
    public Iterable<Object> apply(Materializations.IterableView<Object> view) {
      return view.get();
    }

    @Override
    public TypeDescriptor<Iterable<Object>> getTypeDescriptor() {
      return new TypeDescriptor<Iterable<Object>>() {};
    }
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
