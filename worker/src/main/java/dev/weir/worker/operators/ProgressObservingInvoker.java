package dev.weir.worker.operators;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.beam.runners.core.SplittableProcessElementInvoker;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.reflect.DoFnInvoker;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker.HasProgress;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker.IsBounded;
import org.apache.beam.sdk.transforms.splittabledofn.WatermarkEstimator;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.joda.time.Instant;

/**
 * Runs each ProcessFn step through {@code delegate} (runners-core's output- and time-bounded
 * invoker), keeping {@link RestrictionProgress} of the bounded restrictions that have progress:
 * their size when first seen (the DoFn's {@code @GetSize}, else, as Beam's default, the tracker's
 * work remaining), what their tracker reports during the step ({@link ProgressSamplingTracker}) and
 * whether the step left a residual. Unbounded restrictions, and trackers without progress, pass
 * through untouched: their work has no end to be a fraction of.
 */
final class ProgressObservingInvoker<InputT, OutputT, RestrictionT, PositionT, StateT>
    extends SplittableProcessElementInvoker<InputT, OutputT, RestrictionT, PositionT, StateT> {
  private final SplittableProcessElementInvoker<InputT, OutputT, RestrictionT, PositionT, StateT>
      delegate;
  private final PipelineOptions options;
  private final RestrictionProgress progress;
  private final Supplier<ByteBuffer> currentKey;

  ProgressObservingInvoker(
      SplittableProcessElementInvoker<InputT, OutputT, RestrictionT, PositionT, StateT> delegate,
      PipelineOptions options,
      RestrictionProgress progress,
      Supplier<ByteBuffer> currentKey) {
    this.delegate = delegate;
    this.options = options;
    this.progress = progress;
    this.currentKey = currentKey;
  }

  @Override
  public Result invokeProcessElement(
      DoFnInvoker<InputT, OutputT> invoker,
      WindowedValue<InputT> element,
      RestrictionTracker<RestrictionT, PositionT> tracker,
      WatermarkEstimator<StateT> watermarkEstimator,
      Map<String, PCollectionView<?>> sideInputMapping) {
    if (!(tracker instanceof HasProgress) || tracker.isBounded() != IsBounded.BOUNDED) {
      return delegate.invokeProcessElement(
          invoker, element, tracker, watermarkEstimator, sideInputMapping);
    }
    ByteBuffer key = currentKey.get();
    progress.stepStarted(key, () -> size(invoker, element, tracker));
    Result result =
        delegate.invokeProcessElement(
            invoker,
            element,
            new ProgressSamplingTracker<>(tracker, fraction -> progress.observed(key, fraction)),
            watermarkEstimator,
            sideInputMapping);
    progress.stepEnded(key, result.getResidualRestriction() == null);
    return result;
  }

  /**
   * The restriction's size as the DoFn measures it; 1 when it cannot say (an exception, a
   * {@code @GetSize} needing arguments a size query has not, a size of 0 or worse), so that such
   * restrictions weigh alike rather than not at all.
   */
  private double size(
      DoFnInvoker<InputT, OutputT> invoker,
      WindowedValue<InputT> element,
      RestrictionTracker<RestrictionT, PositionT> tracker) {
    double size;
    try {
      size =
          invoker.invokeGetSize(
              new DoFnInvoker.BaseArgumentProvider<InputT, OutputT>() {
                @Override
                public InputT element(DoFn<InputT, OutputT> doFn) {
                  return element.getValue();
                }

                @Override
                public Object restriction() {
                  return tracker.currentRestriction();
                }

                @Override
                public RestrictionTracker<?, ?> restrictionTracker() {
                  return tracker;
                }

                @Override
                public Instant timestamp(DoFn<InputT, OutputT> doFn) {
                  return element.getTimestamp();
                }

                @Override
                public PaneInfo paneInfo(DoFn<InputT, OutputT> doFn) {
                  return element.getPaneInfo();
                }

                @Override
                public BoundedWindow window() {
                  return element.getWindows().iterator().next();
                }

                @Override
                public PipelineOptions pipelineOptions() {
                  return options;
                }

                @Override
                public String getErrorContext() {
                  return "the size of a restriction, for progress";
                }
              });
    } catch (RuntimeException e) {
      return 1;
    }
    return size > 0 && Double.isFinite(size) ? size : 1;
  }
}
