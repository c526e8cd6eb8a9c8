package dev.weir.worker.operators;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import org.junit.Test;

public class UnboundedSplitPositionTest {
  private static final UnboundedSplitPosition POSITION =
      new UnboundedSplitPosition(4, 5, 3, true, 1_234, 567, new byte[] {10, 11, 12});

  @Test
  public void bytesReadBackAsTheSamePosition() {
    UnboundedSplitPosition read = UnboundedSplitPosition.fromBytes(POSITION.toBytes());

    assertEquals(POSITION, read);
    assertEquals(4, read.desiredSplits());
    assertEquals(5, read.splitCount());
    assertEquals(3, read.splitIndex());
    assertTrue(read.finished());
    assertEquals(1_234, read.recordsRead());
    assertEquals(567, read.millisRead());
    assertArrayEquals(new byte[] {10, 11, 12}, read.mark());
  }

  @Test
  public void positionOfAReaderThatHadNotStartedHasNoMarkAndReadsBack() {
    UnboundedSplitPosition none = new UnboundedSplitPosition(2, 2, 0, false, 0, 0, null);

    UnboundedSplitPosition read = UnboundedSplitPosition.fromBytes(none.toBytes());

    assertEquals(none, read);
    assertNull(read.mark());
    assertFalse(read.finished());
  }

  @Test
  public void emptyMarkIsNotNoMark() {
    UnboundedSplitPosition empty = new UnboundedSplitPosition(2, 2, 1, false, 0, 0, new byte[0]);

    assertArrayEquals(new byte[0], UnboundedSplitPosition.fromBytes(empty.toBytes()).mark());
  }

  @Test
  public void entryNamesAreTheSameForASplitOnEverySubtask() {
    assertEquals("split-7", UnboundedSplitPosition.entryName(7));
    assertTrue(UnboundedSplitPosition.isEntryName("split-0"));
    assertFalse(UnboundedSplitPosition.isEntryName("impulse-emitted"));
  }

  @Test
  public void anotherFormatVersionIsRefusedNamingBothVersions() {
    byte[] bytes = POSITION.toBytes();
    bytes[0] = (byte) (UnboundedSplitPosition.FORMAT_VERSION + 1);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> UnboundedSplitPosition.fromBytes(bytes));

    assertThat(
        e.getMessage(),
        containsString(
            "format version "
                + (UnboundedSplitPosition.FORMAT_VERSION + 1)
                + " and this Weir reads version "
                + UnboundedSplitPosition.FORMAT_VERSION));
  }

  @Test
  public void damagedByteIsRefusedByTheChecksum() {
    byte[] bytes = POSITION.toBytes();
    for (int i = 1; i < bytes.length; i++) {
      byte[] damaged = bytes.clone();
      damaged[i] ^= 0x10;

      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> UnboundedSplitPosition.fromBytes(damaged));

      assertThat(e.getMessage(), containsString("checksum does not match"));
    }
  }

  @Test
  public void truncatedBytesAreRefused() {
    byte[] bytes = POSITION.toBytes();
    for (int length = 0; length < bytes.length; length++) {
      byte[] truncated = Arrays.copyOf(bytes, length);

      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> UnboundedSplitPosition.fromBytes(truncated));

      assertThat(e.getMessage(), startsWith("Cannot read an unbounded split position"));
    }
  }

  @Test
  public void splitOutsideTheSourcesSplitsIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new UnboundedSplitPosition(2, 2, 2, false, 0, 0, new byte[0]));

    assertThat(e.getMessage(), containsString("outside the source's 2 splits"));
  }
}
