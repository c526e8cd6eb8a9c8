package dev.weir.worker.operators;

import dev.weir.translation.TestStreamPlan;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TimestampedValue.TimestampedValueCoder;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Plays a TestStream from subtask 0: elements into the global window, watermark and processing-time
 * advances in-band behind them. Before each event it waits until the job has processed everything
 * the previous events caused, as Beam's TestStream semantics ask.
 *
 * <p>After each event it ends its bundle, where a checkpoint can enter; its position is the index
 * of the next event ({@link #NEXT_EVENT}), and a restore plays on from there, first moving the
 * watermark and processing time to where the events before it had moved them. A TestStream test
 * that restarts is unusual: the waits for quiescence are what make its output deterministic, and
 * a restart in the middle replays downstream work from the checkpoint with no such wait, so the
 * restored position is exact but the timing the test saw before the restart is not reproduced.
 */
public final class TestStreamOperator implements StageOperator {
  /** The snapshot entry holding the index of the next event to play. */
  static final String NEXT_EVENT = "teststream-next-event";

  private static final int FORMAT_VERSION = 1;

  private final TestStreamPlan plan;
  private ElementReceiver output;
  private boolean first;
  // The index of the next step to play; all before it have been emitted.
  private int nextStep;
  private boolean restored;

  public TestStreamOperator(TestStreamPlan plan) {
    this.plan = plan;
  }

  @Override
  public void open(OperatorContext context) {
    output = context.outputs().values().iterator().next();
    first = context.subtaskIndex() == 0;
    byte[] entry = context.restoredEntries().get(NEXT_EVENT);
    if (first && entry != null) {
      nextStep = decode(entry, plan.steps().size());
      restored = true;
    }
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void start(SourceControl control) {
    if (!first) {
      return;
    }
    Coder<Iterable<TimestampedValue<Object>>> coder =
        (Coder) IterableCoder.of(TimestampedValueCoder.of(plan.valueCoder()));
    List<TestStreamPlan.Step> steps = plan.steps();
    Instant processingTime = BoundedWindow.TIMESTAMP_MIN_VALUE;
    @Nullable Instant watermark = null;
    for (int i = 0; i < nextStep; i++) {
      TestStreamPlan.Step step = steps.get(i);
      if (step.kind() == TestStreamPlan.Step.Kind.WATERMARK) {
        watermark = new Instant(step.millis());
      } else if (step.kind() == TestStreamPlan.Step.Kind.PROCESSING_TIME) {
        processingTime = processingTime.plus(Duration.millis(step.millis()));
      }
    }
    if (restored) {
      // The events before the position moved time; the restored job starts from scratch.
      if (watermark != null) {
        control.advanceWatermark(watermark);
      }
      if (processingTime.isAfter(BoundedWindow.TIMESTAMP_MIN_VALUE)) {
        control.advanceProcessingTime(processingTime);
      }
    }
    boolean firstStep = nextStep == 0;
    while (nextStep < steps.size()) {
      TestStreamPlan.Step step = steps.get(nextStep);
      // Every event takes effect only after the pipeline has processed all before it.
      if (!firstStep) {
        quiesce(control);
      }
      firstStep = false;
      switch (step.kind()) {
        case ELEMENTS:
          Iterable<TimestampedValue<Object>> elements;
          try {
            elements = coder.decode(new ByteArrayInputStream(step.elements()));
          } catch (IOException e) {
            throw new IllegalStateException("Cannot decode TestStream elements", e);
          }
          for (TimestampedValue<Object> element : elements) {
            WindowedValue<Object> value =
                WindowedValues.timestampedValueInGlobalWindow(
                    element.getValue(), element.getTimestamp());
            output.accept(value);
          }
          break;
        case WATERMARK:
          control.advanceWatermark(new Instant(step.millis()));
          break;
        case PROCESSING_TIME:
          processingTime = processingTime.plus(Duration.millis(step.millis()));
          control.advanceProcessingTime(processingTime);
          break;
        default:
          throw new IllegalStateException("Unknown TestStream step " + step.kind());
      }
      nextStep++;
      endBundle(control);
    }
  }

  /** The index of the next event; only subtask 0 plays the stream, so only it has an entry. */
  @Override
  public Map<String, byte[]> snapshotState(long checkpointId) {
    if (!first) {
      return Map.of();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      VarInt.encode(FORMAT_VERSION, bytes);
      VarIntCoder.of().encode(nextStep, bytes);
    } catch (IOException e) {
      throw new IllegalStateException("Writing to memory cannot fail", e);
    }
    return Map.of(NEXT_EVENT, bytes.toByteArray());
  }

  private static int decode(byte[] entry, int stepCount) {
    ByteArrayInputStream in = new ByteArrayInputStream(entry);
    try {
      int version = VarInt.decodeInt(in);
      if (version != FORMAT_VERSION) {
        throw new IllegalStateException(
            "Cannot restore a TestStream: its position has format version "
                + version
                + " and this Weir reads version "
                + FORMAT_VERSION);
      }
      int next = VarIntCoder.of().decode(in);
      if (next < 0 || next > stepCount || in.available() != 0) {
        throw new IllegalStateException(
            "Cannot restore a TestStream of "
                + stepCount
                + " events from a position at event "
                + next);
      }
      return next;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot restore a TestStream: its position is damaged", e);
    }
  }

  /** Ends the bundle between two events, so that a checkpoint can be taken there. */
  private static void endBundle(SourceControl control) {
    try {
      control.endBundleOfSource();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while the TestStream ended a bundle", e);
    }
  }

  /** A TestStream advances time only after the pipeline has processed what came before. */
  private static void quiesce(SourceControl control) {
    try {
      control.awaitQuiescence();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while the TestStream waited", e);
    }
  }

  @Override
  public void processElement(WindowedValue<?> element) {
    throw new IllegalStateException("TestStream has no input");
  }
}
