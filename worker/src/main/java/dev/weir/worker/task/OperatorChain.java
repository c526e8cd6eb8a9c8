package dev.weir.worker.task;

import dev.weir.worker.operators.SourceControl;
import dev.weir.worker.operators.StageOperator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The operators fused into a stage, in topological order, as one subtask drives them: every call
 * goes to each operator in that order, on the subtask's thread (see {@link StageOperator}).
 * Elements reach operators through the receivers the wiring gave them; side-input data and time
 * come through here.
 */
final class OperatorChain {
  private final List<StageOperator> operators = new ArrayList<>();
  // By side input tag: the operators reading it.
  private final Map<String, List<StageOperator>> sideInputReaders = new HashMap<>();

  /** Appends {@code operator}, reading {@code sideInputs}; operators come in topological order. */
  void add(StageOperator operator, List<PCollectionView<?>> sideInputs) {
    operators.add(operator);
    for (PCollectionView<?> view : sideInputs) {
      sideInputReaders
          .computeIfAbsent(view.getTagInternal().getId(), k -> new ArrayList<>())
          .add(operator);
    }
  }

  /** For a stage without input: lets each operator emit what it produces. */
  void start(SourceControl control) {
    for (StageOperator op : operators) {
      op.start(control);
    }
  }

  void processSideInput(PCollectionView<?> view, WindowedValue<?> element) {
    for (StageOperator reader : readersOf(view)) {
      reader.processSideInput(view, element);
    }
  }

  void advanceSideInputWatermark(PCollectionView<?> view, Instant watermark) {
    for (StageOperator reader : readersOf(view)) {
      reader.advanceSideInputWatermark(view, watermark);
    }
  }

  private List<StageOperator> readersOf(PCollectionView<?> view) {
    return sideInputReaders.getOrDefault(view.getTagInternal().getId(), List.of());
  }

  /**
   * Fires the event-time timers up to {@code inputWatermark}: each operator sees the minimum of
   * the input watermark and the holds of the operators before it. Returns the minimum over
   * everything, the stage's output watermark.
   */
  Instant advanceInputWatermark(Instant inputWatermark) {
    Instant running = inputWatermark;
    for (StageOperator op : operators) {
      op.advanceInputWatermark(running);
      Instant hold = op.watermarkHold();
      if (hold.isBefore(running)) {
        running = hold;
      }
    }
    return running;
  }

  void advanceProcessingTime(Instant now) {
    for (StageOperator op : operators) {
      op.advanceProcessingTime(now);
    }
  }

  void advanceSynchronizedProcessingTime(Instant time) {
    for (StageOperator op : operators) {
      op.advanceSynchronizedProcessingTime(time);
    }
  }

  /**
   * A test clock moved to {@code time}: it is already the minimum over the inputs, so each
   * operator's processing time and synchronized processing time both move to it.
   */
  void advanceTestClock(Instant time) {
    for (StageOperator op : operators) {
      op.advanceProcessingTime(time);
      op.advanceSynchronizedProcessingTime(time);
    }
  }

  /** The earliest pending processing-time timer, or null if none. */
  @Nullable Instant earliestProcessingTimer() {
    Instant next = null;
    for (StageOperator op : operators) {
      Instant t = op.nextProcessingTimer();
      if (t != null && (next == null || t.isBefore(next))) {
        next = t;
      }
    }
    return next;
  }

  /** The earliest pending timer of either processing-time domain, or null if none. */
  @Nullable Instant earliestTimerHoldingSynchronizedTime() {
    Instant next = earliestProcessingTimer();
    for (StageOperator op : operators) {
      Instant t = op.nextSynchronizedProcessingTimer();
      if (t != null && (next == null || t.isBefore(next))) {
        next = t;
      }
    }
    return next;
  }

  void finishBundle() {
    for (StageOperator op : operators) {
      op.finishBundle();
    }
  }

  /**
   * Closes every operator, also after one fails to close; returns {@code failure}, or the first
   * failure to close if there was none, with later ones suppressed into it.
   */
  @Nullable Throwable close(@Nullable Throwable failure) {
    for (StageOperator op : operators) {
      try {
        op.close();
      } catch (Throwable t) {
        if (failure == null) {
          failure = t;
        } else if (failure != t) {
          failure.addSuppressed(t);
        }
      }
    }
    return failure;
  }
}
