package dev.weir.worker.task;

import dev.weir.worker.operators.ElementReceiver;
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
  // The step name of each operator, for the failure report; null where not given.
  private final List<@Nullable String> names = new ArrayList<>();
  private final FailedStep failedStep = new FailedStep();
  // By side input tag: the operators reading it.
  private final Map<String, List<StageOperator>> sideInputReaders = new HashMap<>();

  /** Appends {@code operator}, reading {@code sideInputs}; operators come in topological order. */
  void add(StageOperator operator, List<PCollectionView<?>> sideInputs) {
    add(null, operator, sideInputs);
  }

  /** As {@link #add(StageOperator, List)}, for the step named {@code name}. */
  void add(@Nullable String name, StageOperator operator, List<PCollectionView<?>> sideInputs) {
    operators.add(operator);
    names.add(name);
    for (PCollectionView<?> view : sideInputs) {
      sideInputReaders
          .computeIfAbsent(view.getTagInternal().getId(), k -> new ArrayList<>())
          .add(operator);
    }
  }

  /** Notes which step the subtask's failures come out of. */
  FailedStep failedStep() {
    return failedStep;
  }

  /**
   * {@code operator}'s processElement as a receiver that notes the step a failure came out of.
   */
  ElementReceiver receiver(String name, StageOperator operator) {
    return element -> {
      try {
        operator.processElement(element);
      } catch (Throwable t) {
        failedStep.note(name, t);
        throw t;
      }
    };
  }

  private @Nullable String nameOf(StageOperator op) {
    int i = operators.indexOf(op);
    return i < 0 ? null : names.get(i);
  }

  /** For a stage without input: lets each operator emit what it produces. */
  void start(SourceControl control) {
    for (int i = 0; i < operators.size(); i++) {
      try {
        operators.get(i).start(control);
      } catch (Throwable t) {
        failedStep.note(names.get(i), t);
        throw t;
      }
    }
  }

  void processSideInput(PCollectionView<?> view, WindowedValue<?> element) {
    for (StageOperator reader : readersOf(view)) {
      try {
        reader.processSideInput(view, element);
      } catch (Throwable t) {
        failedStep.note(nameOf(reader), t);
        throw t;
      }
    }
  }

  void advanceSideInputWatermark(PCollectionView<?> view, Instant watermark) {
    for (StageOperator reader : readersOf(view)) {
      try {
        reader.advanceSideInputWatermark(view, watermark);
      } catch (Throwable t) {
        failedStep.note(nameOf(reader), t);
        throw t;
      }
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
    for (int i = 0; i < operators.size(); i++) {
      StageOperator op = operators.get(i);
      try {
        op.advanceInputWatermark(running);
      } catch (Throwable t) {
        failedStep.note(names.get(i), t);
        throw t;
      }
      Instant hold = op.watermarkHold();
      if (hold.isBefore(running)) {
        running = hold;
      }
    }
    return running;
  }

  void advanceProcessingTime(Instant now) {
    for (int i = 0; i < operators.size(); i++) {
      try {
        operators.get(i).advanceProcessingTime(now);
      } catch (Throwable t) {
        failedStep.note(names.get(i), t);
        throw t;
      }
    }
  }

  void advanceSynchronizedProcessingTime(Instant time) {
    for (int i = 0; i < operators.size(); i++) {
      try {
        operators.get(i).advanceSynchronizedProcessingTime(time);
      } catch (Throwable t) {
        failedStep.note(names.get(i), t);
        throw t;
      }
    }
  }

  /**
   * A test clock moved to {@code time}: it is already the minimum over the inputs, so each
   * operator's processing time and synchronized processing time both move to it.
   */
  void advanceTestClock(Instant time) {
    for (int i = 0; i < operators.size(); i++) {
      try {
        operators.get(i).advanceProcessingTime(time);
        operators.get(i).advanceSynchronizedProcessingTime(time);
      } catch (Throwable t) {
        failedStep.note(names.get(i), t);
        throw t;
      }
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
    for (int i = 0; i < operators.size(); i++) {
      try {
        operators.get(i).finishBundle();
      } catch (Throwable t) {
        failedStep.note(names.get(i), t);
        throw t;
      }
    }
  }

  /**
   * Closes every operator, also after one fails to close; returns {@code failure}, or the first
   * failure to close if there was none, with later ones suppressed into it.
   */
  @Nullable Throwable close(@Nullable Throwable failure) {
    for (int i = 0; i < operators.size(); i++) {
      try {
        operators.get(i).close();
      } catch (Throwable t) {
        failedStep.note(names.get(i), t);
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
