package dev.weir.worker.operators;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * How far one subtask of a splittable DoFn has come through the bounded restrictions it was given.
 * ProcessFn runs a restriction in steps, each on a fresh tracker over what the last step left (its
 * residual), so a tracker's progress is relative to its step; this ledger chains the steps.
 *
 * <p>Each restriction (by its ProcessFn key) weighs its size when it first reached this subtask
 * ({@code @GetSize}, see {@link ProgressObservingInvoker}) and keeps the share of that size still to
 * do, starting at 1. During a step that share is the step's starting share times the part of the
 * step's restriction its tracker reports as remaining (work remaining / (completed + remaining)),
 * and at the step's checkpoint that part becomes the residual's share. A share never grows, so
 * neither does the work done. {@link #work()} sums, over the restrictions, weight × (1 − share) as
 * done and weight as total.
 *
 * <p>Only restrictions that have reached this subtask count: one still in the exchange in front of
 * it, or queued behind a running step, is not in the total yet, so the total can grow (and the
 * fraction fall) when it arrives. After a restore the ledger starts over from the restored
 * residuals, each weighing its own size. Called by the subtask's thread, the split timer's thread
 * and the progress reporter's, hence synchronized.
 */
final class RestrictionProgress {
  private static final class Restriction {
    final double weight;
    double shareAtStepStart = 1;
    double share = 1;

    Restriction(double weight) {
      this.weight = weight;
    }
  }

  private final Map<ByteBuffer, Restriction> running = new HashMap<>();
  private double finishedWeight;
  private boolean any;

  /** A step of restriction {@code key} starts; its weight is read only if it is new here. */
  synchronized void stepStarted(ByteBuffer key, DoubleSupplier weight) {
    Restriction restriction = running.get(key);
    if (restriction == null) {
      running.put(key, new Restriction(weight.getAsDouble()));
      any = true;
    } else {
      restriction.shareAtStepStart = restriction.share;
    }
  }

  /** The running step's tracker reports {@code fractionDone} of the step's restriction. */
  synchronized void observed(ByteBuffer key, double fractionDone) {
    Restriction restriction = running.get(key);
    if (restriction == null || !(fractionDone >= 0)) {
      return;
    }
    double share = restriction.shareAtStepStart * (1 - Math.min(1.0, fractionDone));
    restriction.share = Math.min(restriction.share, share);
  }

  /** The step ended; {@code finished}: with no residual, the restriction is all done. */
  synchronized void stepEnded(ByteBuffer key, boolean finished) {
    if (finished) {
      Restriction restriction = running.remove(key);
      if (restriction != null) {
        finishedWeight += restriction.weight;
      }
    }
  }

  /** The work of every restriction seen so far; null if none was bounded. */
  synchronized @Nullable SourceWork work() {
    if (!any) {
      return null;
    }
    double done = finishedWeight;
    double total = finishedWeight;
    for (Restriction restriction : running.values()) {
      done += restriction.weight * (1 - restriction.share);
      total += restriction.weight;
    }
    return new SourceWork(Math.min(done, total), total);
  }
}
