package dev.weir.worker.operators;

import org.apache.beam.runners.core.InMemoryBundleFinalizer;
import org.joda.time.Instant;

/**
 * Runs the bundle-finalization callbacks of a finished bundle. Nothing Weir has finished is
 * replayed yet (no checkpoints), so a finished bundle counts as committed; callbacks whose expiry
 * has passed are dropped, as Beam allows.
 */
final class CommittedBundles {
  private CommittedBundles() {}

  static void finalizeFinished(InMemoryBundleFinalizer finalizer, Instant now) throws Exception {
    for (InMemoryBundleFinalizer.Finalization f : finalizer.getAndClearFinalizations()) {
      if (!f.getExpiryTime().isBefore(now)) {
        f.getCallback().onBundleSuccess();
      }
    }
  }
}
