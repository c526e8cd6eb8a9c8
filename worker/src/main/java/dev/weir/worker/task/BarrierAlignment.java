package dev.weir.worker.task;

import dev.weir.worker.exchange.InputGate;

/**
 * Aligns a subtask's input channels on checkpoint barriers. When channel c delivers barrier n it
 * is blocked: what it sends after the barrier belongs after the checkpoint, so it waits in the
 * gate. Once every channel delivered n (an ended channel counts as delivered: it sends nothing
 * more), the subtask takes checkpoint n and the channels are released.
 *
 * <p>A barrier of a newer checkpoint on any channel abandons the alignment in progress (that
 * checkpoint is declined: some producer has moved on from it); the older barriers still to come
 * are then ignored. Only the subtask's thread uses this.
 */
final class BarrierAlignment {
  private final InputGate gate;
  private final InputChannels channels;
  private final SubtaskCheckpointer checkpointer;
  private final boolean[] delivered;
  // The checkpoint being aligned, or -1; the newest one whose alignment started.
  private long aligning = -1;
  private long newest = -1;
  private int blocked;
  // When the alignment in progress began (its first barrier), wall clock and monotonic.
  private long alignStartMillis;
  private long alignStartNanos;

  BarrierAlignment(InputGate gate, InputChannels channels, SubtaskCheckpointer checkpointer) {
    this.gate = gate;
    this.channels = channels;
    this.checkpointer = checkpointer;
    this.delivered = new boolean[channels.size()];
  }

  /** Channel {@code channel} delivered the barrier of checkpoint {@code checkpointId}. */
  void barrier(int channel, long checkpointId) throws InterruptedException {
    if (checkpointId <= newest && checkpointId != aligning) {
      // Of a checkpoint taken or abandoned already.
      return;
    }
    if (checkpointId > newest) {
      if (aligning >= 0) {
        abandon(checkpointId);
      }
      aligning = checkpointId;
      newest = checkpointId;
      alignStartMillis = System.currentTimeMillis();
      alignStartNanos = System.nanoTime();
      java.util.Arrays.fill(delivered, false);
    }
    delivered[channel] = true;
    if (!completeIfAligned()) {
      gate.block(channel);
      blocked++;
    }
  }

  /** Channel {@code channel} ended: it no longer holds an alignment back. */
  void channelEnded(int channel) throws InterruptedException {
    if (aligning >= 0) {
      completeIfAligned();
    }
  }

  private boolean completeIfAligned() throws InterruptedException {
    for (int i = 0; i < delivered.length; i++) {
      if (!delivered[i] && !channels.ended(i)) {
        return false;
      }
    }
    long checkpointId = aligning;
    aligning = -1;
    checkpointer.checkpoint(
        checkpointId,
        alignStartMillis,
        java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - alignStartNanos));
    release();
    return true;
  }

  private void abandon(long newer) {
    checkpointer.decline(
        aligning,
        "The barrier of checkpoint " + newer + " arrived before every input channel delivered"
            + " that of checkpoint " + aligning);
    aligning = -1;
    release();
  }

  private void release() {
    if (blocked > 0) {
      gate.resumeAll();
      blocked = 0;
    }
  }
}
