package dev.weir.state;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The key groups each snapshot of one restore claims (the range its backend owned), checked so
 * that no key group of the restored range is claimed twice: two old subtasks never own one key
 * group, so two claims mean snapshots of different jobs or checkpoints were mixed up, and merging
 * them would silently pick one key's state over another's.
 */
public final class KeyGroupClaims {
  private final KeyGroupRange target;
  private final List<Path> snapshots = new ArrayList<>();
  private final List<KeyGroupRange> claims = new ArrayList<>();

  /** @param target the range being restored; claims outside it do not matter */
  public KeyGroupClaims(KeyGroupRange target) {
    this.target = target;
  }

  /**
   * Records that {@code snapshot} claims {@code range}.
   *
   * @return whether the claim includes a key group of the target range, i.e. whether the
   *     snapshot has anything to restore
   * @throws IllegalArgumentException naming both snapshots and the key groups, if another
   *     snapshot of this restore claims one of the target's key groups too
   */
  public boolean claim(Path snapshot, KeyGroupRange range) {
    int start = Math.max(range.start(), target.start());
    int end = Math.min(range.end(), target.end());
    if (start >= end) {
      return false;
    }
    for (int i = 0; i < claims.size(); i++) {
      KeyGroupRange other = claims.get(i);
      int from = Math.max(start, other.start());
      int to = Math.min(end, other.end());
      if (from < to) {
        throw new IllegalArgumentException(
            "Key groups [" + from + ", " + to + ") are claimed by both snapshot "
                + snapshots.get(i) + " (" + other + ") and snapshot " + snapshot + " (" + range
                + "): two subtasks never own one key group, so these are not snapshots of one"
                + " checkpoint");
      }
    }
    snapshots.add(snapshot);
    claims.add(KeyGroupRange.of(start, end));
    return true;
  }
}
