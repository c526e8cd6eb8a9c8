package dev.weir.worker.operators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.runners.core.InMemoryBundleFinalizer;
import org.apache.beam.sdk.metrics.MetricsContainer;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.joda.time.Instant;

/**
 * Bundle-finalization callbacks of finished bundles that wait for the checkpoint covering their
 * bundle (labelled by {@link CheckpointEpochs}) to complete: only then is the bundle's input
 * never replayed, which is what a callback may rely on (acknowledging messages, say). Without
 * checkpoints, or once the input has ended, nothing is replayed and a bundle's callbacks run when
 * it ends. Callbacks whose expiry has passed by then are dropped, as Beam allows.
 *
 * <p>Callbacks are code, not data, so they do not go into a snapshot: after a restore the ones
 * still pending are gone, which Beam allows (a callback is best effort; its bundle's input is
 * replayed from the restored position when it was not covered).
 */
final class PendingFinalizations {
  private final Map<Long, List<InMemoryBundleFinalizer.Finalization>> byLabel = new HashMap<>();

  /**
   * The bundle that just ended: with {@code untilCheckpoint} the callbacks {@code finalizer}
   * collected wait under {@code label}, otherwise they run now.
   */
  void bundleEnded(
      InMemoryBundleFinalizer finalizer, boolean untilCheckpoint, long label, Instant now)
      throws Exception {
    List<InMemoryBundleFinalizer.Finalization> finished = finalizer.getAndClearFinalizations();
    if (!untilCheckpoint) {
      runUnexpired(finished, now);
    } else if (!finished.isEmpty()) {
      byLabel.computeIfAbsent(label, l -> new ArrayList<>()).addAll(finished);
    }
  }

  /**
   * Runs the callbacks of the bundles under {@code labels}, whose checkpoint completed, in the
   * order they were registered, with {@code metrics} as the metrics container.
   */
  void run(Set<Long> labels, Instant now, MetricsContainer metrics) {
    try (AutoCloseable scope = MetricsEnvironment.scopedMetricsContainer(metrics)) {
      for (long label : labels) {
        List<InMemoryBundleFinalizer.Finalization> due = byLabel.remove(label);
        if (due != null) {
          runUnexpired(due, now);
        }
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  /** Runs every callback still waiting: the input has ended, nothing will be replayed. */
  void runAll(Instant now, MetricsContainer metrics) {
    run(labels(), now, metrics);
  }

  /** The labels callbacks wait under, in ascending order. */
  Set<Long> labels() {
    return new TreeSet<>(byLabel.keySet());
  }

  private static void runUnexpired(List<InMemoryBundleFinalizer.Finalization> due, Instant now)
      throws Exception {
    for (InMemoryBundleFinalizer.Finalization f : due) {
      if (!f.getExpiryTime().isBefore(now)) {
        f.getCallback().onBundleSuccess();
      }
    }
  }
}
