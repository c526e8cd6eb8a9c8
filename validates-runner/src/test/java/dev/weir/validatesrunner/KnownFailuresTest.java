package dev.weir.validatesrunner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Test;

public class KnownFailuresTest {

  @Test
  public void parsesEntriesAndSkipsComments() {
    KnownFailures known =
        KnownFailures.parse(
            List.of(
                "# comment",
                "",
                "org.a.ParDoTest$TimerTests#testX\tprocessing-time timers not yet",
                "  org.a.BTest#testY\tflaky: races on shutdown  "),
            "list");
    assertEquals(2, known.size());
    assertTrue(known.contains(new TestId("org.a.ParDoTest$TimerTests", "testX")));
    KnownFailures.Entry y = known.entries().get(new TestId("org.a.BTest", "testY"));
    assertTrue(y.flaky());
    assertEquals(4, y.line());
  }

  @Test
  public void rejectsEntryWithoutReason() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> KnownFailures.parse(List.of("org.a.BTest#testY"), "list"));
    assertTrue(e.getMessage(), e.getMessage().startsWith("list:1:"));
  }

  @Test
  public void rejectsEntryWithoutMethod() {
    assertThrows(
        IllegalArgumentException.class,
        () -> KnownFailures.parse(List.of("org.a.BTest\treason"), "list"));
  }

  @Test
  public void readsSeveralListsAsOneAndSaysWhichListATestIsIn() throws Exception {
    Path dir = Files.createTempDirectory("known-failures");
    Path plain = Files.writeString(dir.resolve("plain.txt"), "# plain\na.B#c\tfails anyway\n");
    Path extra = Files.writeString(dir.resolve("extra.txt"), "a.B#d\tfails with checkpoints\n");
    KnownFailures known = KnownFailures.readAll(List.of(plain, extra));
    assertEquals(2, known.size());
    assertEquals("plain.txt:2", known.entries().get(new TestId("a.B", "c")).where());
    assertEquals("extra.txt:1", known.entries().get(new TestId("a.B", "d")).where());
  }

  @Test
  public void rejectsATestInTwoLists() throws Exception {
    Path dir = Files.createTempDirectory("known-failures");
    Path plain = Files.writeString(dir.resolve("plain.txt"), "a.B#c\tone\n");
    Path extra = Files.writeString(dir.resolve("extra.txt"), "a.B#c\ttwo\n");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> KnownFailures.readAll(List.of(plain, extra)));
    assertTrue(e.getMessage(), e.getMessage().contains("plain.txt:1"));
  }

  @Test
  public void rejectsDuplicates() {
    assertThrows(
        IllegalArgumentException.class,
        () -> KnownFailures.parse(List.of("a.B#c\tone", "a.B#c\ttwo"), "list"));
  }
}
