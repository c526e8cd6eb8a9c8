package dev.weir.worker.operators;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which checkpoint covers what an operator holds back until a checkpoint completes. What arrives
 * between two snapshots carries the label of the open epoch; the snapshot of checkpoint n seals
 * that epoch with n (what arrived before barrier n belongs to n), and the completion of any
 * checkpoint m >= n releases it. Labels of restored things were all in the checkpoint restored
 * from, so the next completion releases them; new labels are chosen above them so they never meet.
 */
public final class CheckpointEpochs {
  private long open;
  // Label of a sealed epoch to the checkpoint that covers it; Long.MIN_VALUE for restored ones.
  private final Map<Long, Long> sealedAt = new HashMap<>();

  /** The label of what arrives now. */
  public long open() {
    return open;
  }

  /** Checkpoint {@code checkpointId} is being taken: what arrived so far belongs to it. */
  public void seal(long checkpointId) {
    sealedAt.put(open, checkpointId);
    open = Math.max(open, checkpointId) + 1;
  }

  /** Something labelled {@code label} came back from the checkpoint restored from. */
  public void restored(long label) {
    sealedAt.put(label, Long.MIN_VALUE);
    if (label >= open) {
      open = label + 1;
    }
  }

  /**
   * Checkpoint {@code checkpointId} completed: returns the labels it covers, in ascending order,
   * and forgets them.
   */
  public TreeSet<Long> takeCovered(long checkpointId) {
    TreeSet<Long> covered = new TreeSet<>();
    for (Iterator<Map.Entry<Long, Long>> it = sealedAt.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Long> epoch = it.next();
      if (epoch.getValue() <= checkpointId) {
        covered.add(epoch.getKey());
        it.remove();
      }
    }
    return covered;
  }
}
