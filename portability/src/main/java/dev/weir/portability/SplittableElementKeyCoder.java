package dev.weir.portability;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.values.KV;

/**
 * Routes a splittable DoFn's input, {@code KV<KV<element, restriction>, size>}, by its element
 * alone: the keyed exchange encodes the input's key {@code KV<element, restriction>} with this
 * coder, which writes only the element. Every restriction of an element, its residuals among them,
 * then lands in the same key group, so the residuals a subtask keeps ({@link SdfResiduals}) are
 * in key groups it owns. Only routes: it is never decoded.
 */
final class SplittableElementKeyCoder extends CustomCoder<KV<?, ?>> {
  private static final long serialVersionUID = 1L;

  private final Coder<Object> elementCoder;

  @SuppressWarnings("unchecked")
  SplittableElementKeyCoder(Coder<?> elementCoder) {
    this.elementCoder = (Coder<Object>) elementCoder;
  }

  @Override
  public void encode(KV<?, ?> elementAndRestriction, OutputStream out) throws IOException {
    // Nested, as the residuals' state keys are encoded.
    elementCoder.encode(elementAndRestriction.getKey(), out);
  }

  @Override
  public KV<?, ?> decode(InputStream in) {
    throw new UnsupportedOperationException("Routes splittable DoFn input; never decoded");
  }

  @Override
  public List<? extends Coder<?>> getCoderArguments() {
    return List.of(elementCoder);
  }

  @Override
  public void verifyDeterministic() throws NonDeterministicException {
    elementCoder.verifyDeterministic();
  }
}
