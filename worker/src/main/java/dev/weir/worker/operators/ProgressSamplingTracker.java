package dev.weir.worker.operators;

import java.util.function.DoubleConsumer;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker.HasProgress;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker.Progress;
import org.apache.beam.sdk.transforms.splittabledofn.SplitResult;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A bounded restriction tracker, passed through, that tells {@code fractionDone} how much of its
 * restriction it has done: every {@value #CLAIMS_PER_SAMPLE} claims and just before a split, from
 * its {@link HasProgress#getProgress()} (for a {@code BoundedSource}: its reader's {@code
 * getFractionConsumed()}). Sampling in the claiming thread keeps user code's reader to the thread
 * (and the lock of runners-core's observing wrapper) it already runs under.
 *
 * <p>Once a split succeeded the restriction is the primary, whose progress says nothing of the
 * residual still to do, so sampling stops; the share left at the split is the residual's.
 * runners-core's invoker only splits at 0 (a checkpoint), which leaves the whole remainder to the
 * residual.
 */
final class ProgressSamplingTracker<RestrictionT, PositionT>
    extends RestrictionTracker<RestrictionT, PositionT> implements HasProgress {
  static final int CLAIMS_PER_SAMPLE = 64;

  private final RestrictionTracker<RestrictionT, PositionT> delegate;
  private final DoubleConsumer fractionDone;
  private int claims;
  private boolean split;

  ProgressSamplingTracker(
      RestrictionTracker<RestrictionT, PositionT> delegate, DoubleConsumer fractionDone) {
    if (!(delegate instanceof HasProgress)) {
      throw new IllegalArgumentException("Not a tracker with progress: " + delegate);
    }
    this.delegate = delegate;
    this.fractionDone = fractionDone;
  }

  @Override
  public boolean tryClaim(PositionT position) {
    boolean claimed = delegate.tryClaim(position);
    if (claimed && ++claims % CLAIMS_PER_SAMPLE == 0) {
      sample();
    }
    return claimed;
  }

  @Override
  public @Nullable SplitResult<RestrictionT> trySplit(double fractionOfRemainder) {
    sample();
    SplitResult<RestrictionT> result = delegate.trySplit(fractionOfRemainder);
    if (result != null) {
      split = true;
    }
    return result;
  }

  private void sample() {
    if (split) {
      return;
    }
    Progress progress = getProgress();
    double all = progress.getWorkCompleted() + progress.getWorkRemaining();
    // A tracker with nothing to say (a reader not open yet, or closed) reports 0 of 0.
    if (all > 0 && Double.isFinite(all)) {
      fractionDone.accept(progress.getWorkCompleted() / all);
    }
  }

  @Override
  public Progress getProgress() {
    return ((HasProgress) delegate).getProgress();
  }

  @Override
  public RestrictionT currentRestriction() {
    return delegate.currentRestriction();
  }

  @Override
  public void checkDone() throws IllegalStateException {
    delegate.checkDone();
  }

  @Override
  public IsBounded isBounded() {
    return delegate.isBounded();
  }
}
