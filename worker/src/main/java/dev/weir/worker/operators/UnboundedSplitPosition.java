package dev.weir.worker.operators;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Where the reader of one split of an unbounded source stands at a checkpoint: the split's index
 * among the source's splits, the number of splits asked of the source and how many it gave (so a
 * restore, at any parallelism, asks for the same splits and can tell if the source now splits
 * differently), whether the split is finished, how much of a bounded read's budget it used,
 * and the reader's checkpoint mark as bytes of the source's checkpoint mark coder (none when the
 * reader had not started).
 *
 * <p>It is one entry of {@link UnboundedReadOperator#snapshotState}, named {@link #entryName}, so
 * that a restore at another parallelism finds each split's position whichever subtask took it. It
 * encodes itself to versioned bytes rather than being {@code Serializable}, so a stored position
 * outlives upgrades of Weir and of the pipeline's code.
 */
public final class UnboundedSplitPosition {
  /** The layout {@link #toBytes} writes; a new layout gets a new number, old ones stay readable. */
  public static final int FORMAT_VERSION = 1;

  private static final String ENTRY_PREFIX = "split-";
  private static final int FINISHED = 1;
  private static final int HAS_MARK = 2;
  // version, desired splits, split count, split index, flags, records, millis, and the checksum
  // after the mark.
  private static final int FIXED_BYTES = 1 + 4 + 4 + 4 + 1 + 8 + 8 + 4;
  private static final int CHECKSUM_BYTES = 4;

  private final int desiredSplits;
  private final int splitCount;
  private final int splitIndex;
  private final boolean finished;
  private final long recordsRead;
  private final long millisRead;
  private final byte @Nullable [] mark;

  /**
   * @param desiredSplits the number of splits the source was asked for
   * @param splitCount how many splits the source had when the mark was taken
   * @param splitIndex which of them this is
   * @param finished whether the split's reader is done (a restore reads it no more)
   * @param recordsRead records the split emitted so far, counted against a bounded read's limit
   * @param millisRead how long the split was read so far, counted against a bounded read's time
   * @param mark the reader's mark as coder bytes, or null if the reader had not started
   */
  public UnboundedSplitPosition(
      int desiredSplits,
      int splitCount,
      int splitIndex,
      boolean finished,
      long recordsRead,
      long millisRead,
      byte @Nullable [] mark) {
    if (splitIndex < 0 || splitIndex >= splitCount) {
      throw new IllegalArgumentException(
          "Split index " + splitIndex + " is outside the source's " + splitCount + " splits");
    }
    if (desiredSplits < 1) {
      throw new IllegalArgumentException("Desired splits must be positive: " + desiredSplits);
    }
    if (recordsRead < 0 || millisRead < 0) {
      throw new IllegalArgumentException(
          "Records read (" + recordsRead + ") and millis read (" + millisRead + ") must not be"
              + " negative");
    }
    this.desiredSplits = desiredSplits;
    this.splitCount = splitCount;
    this.splitIndex = splitIndex;
    this.finished = finished;
    this.recordsRead = recordsRead;
    this.millisRead = millisRead;
    this.mark = mark == null ? null : mark.clone();
  }

  /** The snapshot entry name of split {@code splitIndex}: the same on every subtask. */
  public static String entryName(int splitIndex) {
    return ENTRY_PREFIX + splitIndex;
  }

  /** Whether {@code name} names a split's position. */
  public static boolean isEntryName(String name) {
    return name.startsWith(ENTRY_PREFIX);
  }

  /** The number of splits the source was asked for; a restore asks for as many. */
  public int desiredSplits() {
    return desiredSplits;
  }

  /** How many splits the source gave. */
  public int splitCount() {
    return splitCount;
  }

  public int splitIndex() {
    return splitIndex;
  }

  public boolean finished() {
    return finished;
  }

  public long recordsRead() {
    return recordsRead;
  }

  public long millisRead() {
    return millisRead;
  }

  /** The encoded checkpoint mark, or null if the reader had not started. */
  public byte @Nullable [] mark() {
    return mark == null ? null : mark.clone();
  }

  /**
   * Layout (big-endian): version byte, desired splits, split count, split index, a flags byte
   * (finished, has a mark), records read, millis read, the mark's length and bytes if it has one,
   * and last a CRC32 of everything before it, so a damaged position fails loudly instead of
   * restarting a reader from a wrong mark.
   */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT_VERSION);
      out.writeInt(desiredSplits);
      out.writeInt(splitCount);
      out.writeInt(splitIndex);
      out.writeByte((finished ? FINISHED : 0) | (mark != null ? HAS_MARK : 0));
      out.writeLong(recordsRead);
      out.writeLong(millisRead);
      if (mark != null) {
        out.writeInt(mark.length);
        out.write(mark);
      }
      CRC32 crc = new CRC32();
      crc.update(bytes.toByteArray());
      out.writeInt((int) crc.getValue());
    } catch (IOException e) {
      throw new UncheckedIOException("Writing to memory cannot fail", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads what {@link #toBytes} wrote.
   *
   * @throws IllegalArgumentException naming what is wrong if {@code bytes} are of a version this
   *     Weir cannot read, are damaged, or are not a position
   */
  public static UnboundedSplitPosition fromBytes(byte[] bytes) {
    if (bytes.length == 0) {
      throw unreadable("it is empty");
    }
    // The version comes before the checksum check: a later layout may checksum differently.
    int version = bytes[0] & 0xff;
    if (version != FORMAT_VERSION) {
      throw unreadable(
          "it has format version " + version + " and this Weir reads version " + FORMAT_VERSION);
    }
    if (bytes.length < FIXED_BYTES) {
      throw unreadable("it is " + bytes.length + " bytes long, too short for one");
    }
    int bodyEnd = bytes.length - CHECKSUM_BYTES;
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bodyEnd);
    if (readIntAt(bytes, bodyEnd) != (int) crc.getValue()) {
      throw unreadable("its checksum does not match; the bytes are damaged");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bodyEnd))) {
      in.readByte();
      int desiredSplits = in.readInt();
      int splitCount = in.readInt();
      int splitIndex = in.readInt();
      int flags = in.readByte();
      long recordsRead = in.readLong();
      long millisRead = in.readLong();
      if ((flags & ~(FINISHED | HAS_MARK)) != 0) {
        throw unreadable("it has unknown flags " + flags);
      }
      byte[] mark = null;
      if ((flags & HAS_MARK) != 0) {
        int length = in.readInt();
        if (length < 0 || length != in.available()) {
          throw unreadable("its mark claims " + length + " bytes of " + in.available());
        }
        mark = new byte[length];
        in.readFully(mark);
      }
      if (in.available() != 0) {
        throw unreadable(in.available() + " bytes follow its end");
      }
      return new UnboundedSplitPosition(
          desiredSplits,
          splitCount, splitIndex, (flags & FINISHED) != 0, recordsRead, millisRead, mark);
    } catch (IOException e) {
      throw unreadable("its bytes end early");
    } catch (IllegalArgumentException e) {
      if (e.getMessage().startsWith(UNREADABLE)) {
        throw e;
      }
      throw new IllegalArgumentException(UNREADABLE + e.getMessage(), e);
    }
  }

  private static final String UNREADABLE = "Cannot read an unbounded split position: ";

  private static int readIntAt(byte[] bytes, int offset) {
    return ((bytes[offset] & 0xff) << 24)
        | ((bytes[offset + 1] & 0xff) << 16)
        | ((bytes[offset + 2] & 0xff) << 8)
        | (bytes[offset + 3] & 0xff);
  }

  private static IllegalArgumentException unreadable(String why) {
    return new IllegalArgumentException(UNREADABLE + why);
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof UnboundedSplitPosition)) {
      return false;
    }
    UnboundedSplitPosition that = (UnboundedSplitPosition) other;
    return desiredSplits == that.desiredSplits
        && splitCount == that.splitCount
        && splitIndex == that.splitIndex
        && finished == that.finished
        && recordsRead == that.recordsRead
        && millisRead == that.millisRead
        && Arrays.equals(mark, that.mark);
  }

  @Override
  public int hashCode() {
    return Objects.hash(desiredSplits, splitCount, splitIndex, finished, recordsRead, millisRead)
        + 31 * Arrays.hashCode(mark);
  }

  @Override
  public String toString() {
    return "UnboundedSplitPosition{split "
        + splitIndex
        + " of "
        + splitCount
        + " (asked for "
        + desiredSplits
        + ")"
        + (finished ? ", finished" : "")
        + ", records "
        + recordsRead
        + ", millis "
        + millisRead
        + ", mark "
        + (mark == null ? "none" : mark.length + " bytes")
        + "}";
  }
}
