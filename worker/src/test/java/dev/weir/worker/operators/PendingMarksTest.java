package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.io.UnboundedSource.CheckpointMark;
import org.junit.Test;

public class PendingMarksTest {
  private final List<String> finalized = new ArrayList<>();

  private CheckpointMark mark(String name) {
    return () -> finalized.add(name);
  }

  @Test
  public void completionFinalizesItsMarksAndThoseOfOlderPendingCheckpointsOldestFirst()
      throws Exception {
    PendingMarks pending = new PendingMarks();
    pending.taken(1, List.of(mark("1a"), mark("1b")));
    pending.taken(2, List.of(mark("2a"), mark("2b")));
    pending.taken(3, List.of(mark("3a"), mark("3b")));

    pending.completed(2);

    assertEquals(List.of("1a", "1b", "2a", "2b"), finalized);
    assertEquals(1, pending.size());
  }

  @Test
  public void completionOfAnOlderOrTheSameCheckpointAgainFinalizesNothing() throws Exception {
    PendingMarks pending = new PendingMarks();
    pending.taken(5, List.of(mark("5")));
    pending.completed(5);

    pending.completed(5);
    pending.completed(4);

    assertEquals(List.of("5"), finalized);
  }

  @Test
  public void readerWithoutAMarkIsSkipped() throws Exception {
    PendingMarks pending = new PendingMarks();
    pending.taken(1, Arrays.asList(null, mark("1b")));

    pending.completed(1);

    assertEquals(List.of("1b"), finalized);
  }

  @Test
  public void markWhoseFinalizationFailedIsNotFinalizedAgain() throws Exception {
    PendingMarks pending = new PendingMarks();
    int[] attempts = {0};
    pending.taken(
        1,
        List.of(
            () -> {
              attempts[0]++;
              throw new IOException("broker gone");
            }));

    assertThrows(IOException.class, () -> pending.completed(1));
    pending.completed(2);

    assertEquals(1, attempts[0]);
  }
}
