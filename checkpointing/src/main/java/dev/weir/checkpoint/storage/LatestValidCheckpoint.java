package dev.weir.checkpoint.storage;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of looking for a checkpoint to restore from: the newest one that verified, and why
 * each newer one was passed over (also logged).
 *
 * @param skipped one line per skipped checkpoint, newest first, each naming the bad path and what
 *     is wrong with it
 */
public record LatestValidCheckpoint(
    Optional<CompletedCheckpoint> checkpoint, List<String> skipped) {
  public LatestValidCheckpoint {
    skipped = List.copyOf(skipped);
  }
}
