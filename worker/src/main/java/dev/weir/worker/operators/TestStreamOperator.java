package dev.weir.worker.operators;

import dev.weir.translation.TestStreamPlan;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TimestampedValue.TimestampedValueCoder;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Plays a TestStream from subtask 0: elements into the global window, watermark and processing-time
 * advances in-band behind them. Before each event it waits until the job has processed everything
 * the previous events caused, as Beam's TestStream semantics ask.
 */
public final class TestStreamOperator implements StageOperator {
  private final TestStreamPlan plan;
  private ElementReceiver output;
  private boolean first;

  public TestStreamOperator(TestStreamPlan plan) {
    this.plan = plan;
  }

  @Override
  public void open(OperatorContext context) {
    output = context.outputs().values().iterator().next();
    first = context.subtaskIndex() == 0;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void start(SourceControl control) {
    if (!first) {
      return;
    }
    Coder<Iterable<TimestampedValue<Object>>> coder =
        (Coder) IterableCoder.of(TimestampedValueCoder.of(plan.valueCoder()));
    Instant processingTime = BoundedWindow.TIMESTAMP_MIN_VALUE;
    boolean firstStep = true;
    for (TestStreamPlan.Step step : plan.steps()) {
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
