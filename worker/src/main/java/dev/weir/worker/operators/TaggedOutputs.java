package dev.weir.worker.operators;

import java.util.Map;
import org.apache.beam.sdk.util.WindowedValueMultiReceiver;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Where a step's outputs go, by the id of their tag; an output to a tag nothing consumes is
 * dropped. A DoFn outputs mostly to one tag, so the last tag's receiver is kept: the common case
 * compares one reference per element instead of hashing and comparing the tag's long id.
 */
final class TaggedOutputs implements WindowedValueMultiReceiver {
  private final Map<String, ElementReceiver> byTagId;
  private TupleTag<?> lastTag;
  private ElementReceiver lastReceiver;

  TaggedOutputs(Map<String, ElementReceiver> byTagId) {
    this.byTagId = byTagId;
  }

  @Override
  public <T> void output(TupleTag<T> tag, WindowedValue<T> value) {
    ElementReceiver receiver;
    if (tag == lastTag) {
      receiver = lastReceiver;
    } else {
      receiver = byTagId.get(tag.getId());
      lastTag = tag;
      lastReceiver = receiver;
    }
    if (receiver != null) {
      receiver.accept(value);
    }
  }
}
