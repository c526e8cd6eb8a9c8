package dev.weir.runner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

public class CheckpointHistoryTest {
  private static CheckpointStats ended(long id, CheckpointStats.Status status) {
    return new CheckpointStats(id, 0, status, id * 1000, 10, 100, 10, 1, 5, null);
  }

  @Test
  public void keepsOnlyTheNewestCheckpointsButCountsThemAll() {
    CheckpointHistory history = new CheckpointHistory(3);
    for (long id = 1; id <= 10; id++) {
      history.add(
          ended(
              id, id % 4 == 0 ? CheckpointStats.Status.ABORTED : CheckpointStats.Status.COMPLETED));
    }

    List<CheckpointStats> kept = history.newest();
    assertEquals(List.of(8L, 9L, 10L), kept.stream().map(CheckpointStats::id).toList());
    assertEquals(8, history.completedCount());
    assertEquals(2, history.abortedCount());
    assertEquals(10, history.latestCompleted().getAsLong());
  }

  @Test
  public void theLatestCompletedOutlivesTheHistoryThatNamedIt() {
    CheckpointHistory history = new CheckpointHistory(2);
    history.add(ended(1, CheckpointStats.Status.COMPLETED));
    history.add(ended(2, CheckpointStats.Status.ABORTED));
    history.add(ended(3, CheckpointStats.Status.ABORTED));

    assertEquals(1, history.latestCompleted().getAsLong());
    assertTrue(
        history.newest().stream().allMatch(c -> c.status() == CheckpointStats.Status.ABORTED));
  }

  @Test
  public void nothingCompletedHasNoLatest() {
    assertTrue(new CheckpointHistory(5).latestCompleted().isEmpty());
  }
}
