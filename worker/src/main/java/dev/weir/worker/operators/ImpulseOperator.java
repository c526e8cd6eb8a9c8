package dev.weir.worker.operators;

import java.util.Map;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;

/**
 * Emits the one impulse element, from subtask 0 only. Once it has, its snapshot says so ({@link
 * #EMITTED}), and a restore from that snapshot emits nothing: the impulse is in the restored
 * downstream state already.
 */
public final class ImpulseOperator implements StageOperator {
  /** The snapshot entry present once the impulse was emitted. */
  static final String EMITTED = "impulse-emitted";

  // Format version 1 of the entry: the entry's presence is the whole state.
  private static final byte[] EMITTED_V1 = {1};

  private ElementReceiver output;
  private boolean first;
  private boolean emitted;

  @Override
  public void open(OperatorContext context) {
    output = context.outputs().values().iterator().next();
    first = context.subtaskIndex() == 0;
    byte[] entry = context.restoredEntries().get(EMITTED);
    if (entry != null) {
      if (entry.length != 1 || entry[0] != EMITTED_V1[0]) {
        throw new IllegalStateException(
            "Cannot restore an Impulse: its entry " + EMITTED + " is not of format version 1");
      }
      emitted = true;
    }
  }

  @Override
  public void start(SourceControl control) {
    if (first && !emitted) {
      output.accept(WindowedValues.valueInGlobalWindow(new byte[0]));
      emitted = true;
    }
  }

  @Override
  public Map<String, byte[]> snapshotState(long checkpointId) {
    return first && emitted ? Map.of(EMITTED, EMITTED_V1.clone()) : Map.of();
  }

  @Override
  public void processElement(WindowedValue<?> element) {
    throw new IllegalStateException("Impulse has no input");
  }
}
