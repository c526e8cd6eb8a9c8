package dev.weir.translation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TimestampedValue.TimestampedValueCoder;

/**
 * A {@link TestStream}: its events in order, elements kept as coder bytes. The job then runs on a
 * test clock: processing time starts at the minimum timestamp and moves only when the stream
 * says.
 */
public final class TestStreamPlan extends OperatorPlan {
  private static final long serialVersionUID = 1L;

  private final Coder<?> valueCoder;
  private final List<Step> steps;

  TestStreamPlan(String name, Map<String, String> outputs, TestStream<?> stream) {
    super(name, PTransformTranslation.TEST_STREAM_TRANSFORM_URN, List.of(), outputs);
    this.valueCoder = stream.getValueCoder();
    this.steps = Collections.unmodifiableList(stepsOf(stream));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<Step> stepsOf(TestStream<?> stream) {
    IterableCoder<TimestampedValue<?>> coder =
        (IterableCoder) IterableCoder.of(TimestampedValueCoder.of(stream.getValueCoder()));
    List<Step> steps = new ArrayList<>();
    for (TestStream.Event<?> event : stream.getEvents()) {
      if (event instanceof TestStream.ElementEvent) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
          coder.encode((Iterable) ((TestStream.ElementEvent<?>) event).getElements(), bytes);
        } catch (IOException e) {
          throw new IllegalArgumentException("Cannot encode the elements of a TestStream", e);
        }
        steps.add(new Step(Step.Kind.ELEMENTS, 0, bytes.toByteArray()));
      } else if (event instanceof TestStream.WatermarkEvent) {
        steps.add(
            new Step(
                Step.Kind.WATERMARK,
                ((TestStream.WatermarkEvent<?>) event).getWatermark().getMillis(),
                null));
      } else if (event instanceof TestStream.ProcessingTimeEvent) {
        steps.add(
            new Step(
                Step.Kind.PROCESSING_TIME,
                ((TestStream.ProcessingTimeEvent<?>) event).getProcessingTimeAdvance().getMillis(),
                null));
      } else {
        throw new IllegalArgumentException("Unknown TestStream event " + event);
      }
    }
    return steps;
  }

  public Coder<?> valueCoder() {
    return valueCoder;
  }

  public List<Step> steps() {
    return steps;
  }

  /** One event: elements (coder bytes), a new watermark, or a processing-time advance. */
  public static final class Step implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What a step does. */
    public enum Kind {
      ELEMENTS,
      WATERMARK,
      PROCESSING_TIME
    }

    private final Kind kind;
    private final long millis;
    private final byte[] elements;

    Step(Kind kind, long millis, byte[] elements) {
      this.kind = kind;
      this.millis = millis;
      this.elements = elements;
    }

    public Kind kind() {
      return kind;
    }

    /** The new watermark, or the processing-time advance, in millis. */
    public long millis() {
      return millis;
    }

    /** For ELEMENTS: the {@code TimestampedValue}s encoded as an iterable. */
    public byte[] elements() {
      return elements;
    }
  }
}
