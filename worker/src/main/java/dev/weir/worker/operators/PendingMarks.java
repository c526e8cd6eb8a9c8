package dev.weir.worker.operators;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.beam.sdk.io.UnboundedSource.CheckpointMark;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The checkpoint marks a source's readers handed out for checkpoints that are not known to have
 * completed yet, by checkpoint id. A mark is finalized only when its checkpoint, or a later one,
 * has completed: before then what its reader emitted may be replayed from an older checkpoint, and
 * finalizing (acknowledging, committing offsets) would tell the source it is consumed.
 *
 * <p>A later checkpoint's completion finalizes the marks of earlier ones still pending (those that
 * failed or were aborted) too, oldest first: it covers everything read before it, and a mark may
 * carry what no later mark does (a Pub/Sub mark holds the ids of the messages read since the
 * previous one).
 */
final class PendingMarks {
  private final TreeMap<Long, List<@Nullable CheckpointMark>> byCheckpoint = new TreeMap<>();

  /** The marks taken for checkpoint {@code checkpointId}, one per reader; null for none. */
  void taken(long checkpointId, List<@Nullable CheckpointMark> marks) {
    byCheckpoint.put(checkpointId, new ArrayList<>(marks));
  }

  /** Checkpoint {@code checkpointId} completed: finalizes its marks and all older pending ones. */
  void completed(long checkpointId) throws IOException {
    SortedMap<Long, List<@Nullable CheckpointMark>> due = byCheckpoint.headMap(checkpointId, true);
    List<List<@Nullable CheckpointMark>> toFinalize = new ArrayList<>(due.values());
    // Forgotten first: a mark whose finalization fails is not finalized again at the next one.
    due.clear();
    for (List<@Nullable CheckpointMark> marks : toFinalize) {
      finalize(marks);
    }
  }

  /** How many checkpoints have marks pending. */
  int size() {
    return byCheckpoint.size();
  }

  /** Finalizes {@code marks} in order, skipping nulls. */
  static void finalize(List<@Nullable CheckpointMark> marks) throws IOException {
    for (CheckpointMark mark : marks) {
      if (mark != null) {
        mark.finalizeCheckpoint();
      }
    }
  }
}
