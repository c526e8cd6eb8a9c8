package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.junit.Test;

public class SnapshotEntriesTest {

  @Test
  public void everyOldSubtasksEntryIsTakenByExactlyOneNewSubtaskAtAnyParallelism() {
    for (int oldParallelism = 1; oldParallelism <= 5; oldParallelism++) {
      Map<String, byte[]> entries = new HashMap<>();
      for (int old = 0; old < oldParallelism; old++) {
        entries.put(SnapshotEntries.name("buffer", old), new byte[] {(byte) old});
        // Another kind of entry of the same operator is never taken for this one.
        entries.put(SnapshotEntries.name("other", old), new byte[0]);
      }
      for (int newParallelism = 1; newParallelism <= 5; newParallelism++) {
        List<Integer> taken = new ArrayList<>();
        for (int subtask = 0; subtask < newParallelism; subtask++) {
          taken.addAll(
              SnapshotEntries.takenBy(entries, "buffer", subtask, newParallelism).keySet());
        }
        taken.sort(null);
        List<Integer> expected = new ArrayList<>();
        for (int old = 0; old < oldParallelism; old++) {
          expected.add(old);
        }
        assertEquals(
            "from " + oldParallelism + " to " + newParallelism, expected, taken);
      }
    }
  }

  @Test
  public void anEntryOfAnotherFormatVersionIsRefused() {
    byte[] bytes = SnapshotEntries.encode(2, StringUtf8Coder.of(), "x");
    assertEquals("x", SnapshotEntries.decode(2, StringUtf8Coder.of(), bytes, "test entry"));
    assertThrows(
        IllegalStateException.class,
        () -> SnapshotEntries.decode(1, StringUtf8Coder.of(), bytes, "test entry"));
  }
}
