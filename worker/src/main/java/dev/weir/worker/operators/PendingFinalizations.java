package dev.weir.worker.operators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.runners.core.InMemoryBundleFinalizer;
import org.joda.time.Instant;

/**
 * Bundle-finalization callbacks of finished bundles that wait for the checkpoint covering their
 * bundle (labelled by {@link CheckpointEpochs}) to complete: only then is the bundle's input
 * never replayed, which is what a callback may rely on (acknowledging messages, say).
 *
 * <p>Callbacks are code, not data, so they do not go into a snapshot: after a restore the ones
 * still pending are gone, which Beam allows (a callback is best effort; its bundle's input is
 * replayed from the restored position when it was not covered).
 */
final class PendingFinalizations {
  private final Map<Long, List<InMemoryBundleFinalizer.Finalization>> byLabel = new HashMap<>();

  /** Takes the callbacks {@code finalizer} collected in the bundle that just finished. */
  void add(long label, InMemoryBundleFinalizer finalizer) {
    List<InMemoryBundleFinalizer.Finalization> finished = finalizer.getAndClearFinalizations();
    if (!finished.isEmpty()) {
      byLabel.computeIfAbsent(label, l -> new ArrayList<>()).addAll(finished);
    }
  }

  /**
   * Runs the callbacks of the bundles under {@code labels}, whose checkpoint completed, in the
   * order they were registered; those whose expiry is before {@code now} are dropped, as Beam
   * allows.
   */
  void run(Set<Long> labels, Instant now) throws Exception {
    for (long label : labels) {
      List<InMemoryBundleFinalizer.Finalization> due = byLabel.remove(label);
      if (due != null) {
        for (InMemoryBundleFinalizer.Finalization f : due) {
          if (!f.getExpiryTime().isBefore(now)) {
            f.getCallback().onBundleSuccess();
          }
        }
      }
    }
  }

  /** The labels callbacks wait under, in ascending order. */
  Set<Long> labels() {
    return new TreeSet<>(byLabel.keySet());
  }
}
