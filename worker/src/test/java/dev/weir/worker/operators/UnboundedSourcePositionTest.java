package dev.weir.worker.operators;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.Test;

public class UnboundedSourcePositionTest {
  private static final UnboundedSourcePosition POSITION =
      new UnboundedSourcePosition(
          5, Map.of(1, new byte[] {10, 11, 12}, 3, new byte[0], 4, new byte[] {-1}));

  @Test
  public void bytesReadBackAsTheSamePosition() {
    UnboundedSourcePosition read = UnboundedSourcePosition.fromBytes(POSITION.toBytes());

    assertEquals(POSITION, read);
    assertEquals(5, read.splitCount());
    assertEquals(List.of(1, 3, 4), read.splitIndexes());
    assertArrayEquals(new byte[] {10, 11, 12}, read.mark(1));
    assertArrayEquals(new byte[0], read.mark(3));
  }

  @Test
  public void positionOfNoSplitsReadsBack() {
    UnboundedSourcePosition none = new UnboundedSourcePosition(2, Map.of());

    assertEquals(none, UnboundedSourcePosition.fromBytes(none.toBytes()));
  }

  @Test
  public void anotherFormatVersionIsRefusedNamingBothVersions() {
    byte[] bytes = POSITION.toBytes();
    // The version is the int after the 4-byte magic.
    ByteBuffer.wrap(bytes).putInt(4, UnboundedSourcePosition.FORMAT_VERSION + 1);

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> UnboundedSourcePosition.fromBytes(bytes));

    assertThat(
        e.getMessage(),
        containsString(
            "format version "
                + (UnboundedSourcePosition.FORMAT_VERSION + 1)
                + " and this Weir reads version "
                + UnboundedSourcePosition.FORMAT_VERSION));
  }

  @Test
  public void damagedByteIsRefusedByTheChecksum() {
    byte[] bytes = POSITION.toBytes();
    for (int i = 8; i < bytes.length; i++) {
      byte[] damaged = bytes.clone();
      damaged[i] ^= 0x10;

      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> UnboundedSourcePosition.fromBytes(damaged));

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
              IllegalArgumentException.class, () -> UnboundedSourcePosition.fromBytes(truncated));

      assertThat(e.getMessage(), containsString("Cannot read an unbounded source position"));
    }
  }

  @Test
  public void bytesThatAreNoPositionAreRefused() {
    byte[] text = "certainly not a position".getBytes(StandardCharsets.UTF_8);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> UnboundedSourcePosition.fromBytes(text));

    assertThat(e.getMessage(), containsString("do not start like one"));
  }

  @Test
  public void markOfASplitOutsideTheSourcesSplitsIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new UnboundedSourcePosition(2, Map.of(2, new byte[0])));

    assertThat(e.getMessage(), containsString("outside the source's 2 splits"));
  }
}
