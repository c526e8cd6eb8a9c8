package dev.weir.checkpoint.storage;

import java.util.List;

/**
 * What one retention pass removed.
 *
 * @param removedCheckpoints ids of removed {@code chk-<n>} directories, completed or abandoned,
 *     oldest first
 * @param removedSharedFiles shared files that no retained checkpoint references any more
 */
public record RetentionResult(List<Long> removedCheckpoints, int removedSharedFiles) {
  public RetentionResult {
    removedCheckpoints = List.copyOf(removedCheckpoints);
  }
}
