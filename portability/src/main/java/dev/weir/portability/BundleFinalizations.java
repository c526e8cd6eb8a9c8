package dev.weir.portability;

import dev.weir.worker.operators.CheckpointEpochs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.model.fnexecution.v1.BeamFnApi;
import org.apache.beam.runners.fnexecution.control.BundleFinalizationHandler;
import org.apache.beam.runners.fnexecution.control.InstructionRequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundles of a portable stage whose user code registered bundle-finalization callbacks
 * ({@code DoFn.BundleFinalizer}): the harness asks for a {@code FinalizeBundle} of each once its
 * output is durably committed. In Weir that is when the checkpoint covering the bundle completes
 * (labelled by {@link CheckpointEpochs}, as a classic ParDo's callbacks are); without checkpoints,
 * or once the input has ended, nothing is replayed and a bundle is finalized when it ends.
 *
 * <p>The harness holds the callbacks, so after a restore the ids of bundles not yet finalized are
 * gone with the harness's memory, which Beam allows (a callback is best effort).
 */
final class BundleFinalizations implements BundleFinalizationHandler {
  private static final Logger LOG = LoggerFactory.getLogger(BundleFinalizations.class);

  private final InstructionRequestHandler control;
  // Bundles that asked for finalization since the last bundleEnded.
  private final List<String> asked = new ArrayList<>();
  private final Map<Long, List<String>> byLabel = new TreeMap<>();

  BundleFinalizations(InstructionRequestHandler control) {
    this.control = control;
  }

  /** Called by Beam's bundle when the harness's response says the bundle requires finalization. */
  @Override
  public synchronized void requestsFinalization(String bundleId) {
    asked.add(bundleId);
  }

  /**
   * The bundle that just closed: with {@code untilCheckpoint} its finalization waits under {@code
   * label}, otherwise it is sent now.
   */
  void bundleEnded(boolean untilCheckpoint, long label) {
    List<String> ended;
    synchronized (this) {
      if (asked.isEmpty()) {
        return;
      }
      ended = new ArrayList<>(asked);
      asked.clear();
    }
    if (untilCheckpoint) {
      byLabel.computeIfAbsent(label, l -> new ArrayList<>()).addAll(ended);
    } else {
      send(ended);
    }
  }

  /** Finalizes the bundles of {@code labels}, whose checkpoint completed. */
  void checkpointCompleted(Iterable<Long> labels) {
    for (long label : labels) {
      List<String> due = byLabel.remove(label);
      if (due != null) {
        send(due);
      }
    }
  }

  /** Finalizes every bundle still waiting: the input has ended, nothing will be replayed. */
  void all() {
    checkpointCompleted(new ArrayList<>(byLabel.keySet()));
  }

  /** True if bundles wait for a checkpoint to complete. */
  boolean waiting() {
    return !byLabel.isEmpty();
  }

  /**
   * Sends without waiting for the answers (as Beam's runners do): a failing callback is logged, it
   * does not fail the job, whose output is committed already.
   */
  private void send(List<String> bundleIds) {
    for (String id : bundleIds) {
      control
          .handle(
              BeamFnApi.InstructionRequest.newBuilder()
                  // An id of its own: the control client matches answers to requests by it.
                  .setInstructionId("weir-finalize-" + id)
                  .setFinalizeBundle(
                      BeamFnApi.FinalizeBundleRequest.newBuilder().setInstructionId(id))
                  .build())
          .whenComplete(
              (response, failure) -> {
                String error =
                    failure != null ? failure.toString() : response.getError();
                if (!error.isEmpty()) {
                  LOG.warn("Finalizing bundle {} failed in the SDK harness: {}", id, error);
                }
              });
    }
  }
}
