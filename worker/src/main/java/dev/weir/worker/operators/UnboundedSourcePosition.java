package dev.weir.worker.operators;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * Where the readers of one subtask of an unbounded read stand: for each split the subtask reads,
 * the split's index among the source's splits and the split's checkpoint mark as bytes of the
 * source's checkpoint mark coder. The total split count is kept too, so a restore can tell that
 * the source now splits differently.
 *
 * <p>It encodes itself to versioned bytes ({@link #toBytes}, {@link #fromBytes}) rather than being
 * {@code Serializable}, so a stored position outlives upgrades of Weir and of the pipeline's code.
 */
public final class UnboundedSourcePosition {
  /** The layout {@link #toBytes} writes; a new layout gets a new number, old ones stay readable. */
  public static final int FORMAT_VERSION = 1;

  // "WUSP": tells a position from other bytes before the version is trusted.
  private static final int MAGIC = 0x57555350;
  private static final int HEADER_BYTES = 8; // magic, version
  private static final int CHECKSUM_BYTES = 4;

  private final int splitCount;
  private final SortedMap<Integer, byte[]> marksBySplit;

  /**
   * @param splitCount how many splits the source had when the marks were taken
   * @param marksBySplit split index to that split's encoded checkpoint mark
   */
  public UnboundedSourcePosition(int splitCount, Map<Integer, byte[]> marksBySplit) {
    if (splitCount < 0) {
      throw new IllegalArgumentException("Split count must not be negative: " + splitCount);
    }
    SortedMap<Integer, byte[]> copy = new TreeMap<>();
    for (Map.Entry<Integer, byte[]> entry : marksBySplit.entrySet()) {
      int split = entry.getKey();
      if (split < 0 || split >= splitCount) {
        throw new IllegalArgumentException(
            "Split index " + split + " is outside the source's " + splitCount + " splits");
      }
      copy.put(split, entry.getValue().clone());
    }
    this.splitCount = splitCount;
    this.marksBySplit = copy;
  }

  /** How many splits the source had when the marks were taken. */
  public int splitCount() {
    return splitCount;
  }

  /** The indexes of the splits this position holds a mark for, ascending. */
  public List<Integer> splitIndexes() {
    return Collections.unmodifiableList(new ArrayList<>(marksBySplit.keySet()));
  }

  /** The encoded checkpoint mark of split {@code splitIndex}. */
  public byte[] mark(int splitIndex) {
    byte[] mark = marksBySplit.get(splitIndex);
    if (mark == null) {
      throw new IllegalArgumentException(
          "This position holds no mark for split " + splitIndex + "; it holds " + splitIndexes());
    }
    return mark.clone();
  }

  /**
   * Layout (big-endian): magic, version, split count, number of marks, then per mark its split
   * index, length and bytes, and last a CRC32 of everything before it, so a damaged position fails
   * loudly instead of restarting a reader from a wrong mark.
   */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(FORMAT_VERSION);
      out.writeInt(splitCount);
      out.writeInt(marksBySplit.size());
      for (Map.Entry<Integer, byte[]> entry : marksBySplit.entrySet()) {
        out.writeInt(entry.getKey());
        out.writeInt(entry.getValue().length);
        out.write(entry.getValue());
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
   * @throws IllegalArgumentException naming what is wrong if {@code bytes} are not a position,
   *     are of a version this Weir cannot read, or are damaged
   */
  public static UnboundedSourcePosition fromBytes(byte[] bytes) {
    if (bytes.length < HEADER_BYTES + CHECKSUM_BYTES) {
      throw unreadable("it is " + bytes.length + " bytes long, too short for one");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readInt() != MAGIC) {
        throw unreadable("its bytes do not start like one");
      }
      // The version comes before the checksum check: a later layout may checksum differently.
      int version = in.readInt();
      if (version != FORMAT_VERSION) {
        throw unreadable(
            "it has format version " + version + " and this Weir reads version " + FORMAT_VERSION);
      }
      int bodyEnd = bytes.length - CHECKSUM_BYTES;
      CRC32 crc = new CRC32();
      crc.update(bytes, 0, bodyEnd);
      int stored = readIntAt(bytes, bodyEnd);
      if (stored != (int) crc.getValue()) {
        throw unreadable("its checksum does not match; the bytes are damaged");
      }
      int splitCount = in.readInt();
      int markCount = in.readInt();
      if (splitCount < 0 || markCount < 0 || markCount > splitCount) {
        throw unreadable("it claims " + markCount + " marks of " + splitCount + " splits");
      }
      SortedMap<Integer, byte[]> marks = new TreeMap<>();
      int previous = -1;
      for (int m = 0; m < markCount; m++) {
        int split = in.readInt();
        int length = in.readInt();
        if (split <= previous || split >= splitCount) {
          throw unreadable("split index " + split + " is out of order or range");
        }
        if (length < 0 || length > in.available() - CHECKSUM_BYTES) {
          throw unreadable("the mark of split " + split + " claims " + length + " bytes");
        }
        byte[] mark = new byte[length];
        in.readFully(mark);
        marks.put(split, mark);
        previous = split;
      }
      if (in.available() != CHECKSUM_BYTES) {
        throw unreadable((in.available() - CHECKSUM_BYTES) + " bytes follow its last mark");
      }
      return new UnboundedSourcePosition(splitCount, marks);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot read an unbounded source position: its bytes end early", e);
    }
  }

  private static int readIntAt(byte[] bytes, int offset) {
    return ((bytes[offset] & 0xff) << 24)
        | ((bytes[offset + 1] & 0xff) << 16)
        | ((bytes[offset + 2] & 0xff) << 8)
        | (bytes[offset + 3] & 0xff);
  }

  private static IllegalArgumentException unreadable(String why) {
    return new IllegalArgumentException("Cannot read an unbounded source position: " + why);
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof UnboundedSourcePosition)) {
      return false;
    }
    UnboundedSourcePosition that = (UnboundedSourcePosition) other;
    if (splitCount != that.splitCount
        || !marksBySplit.keySet().equals(that.marksBySplit.keySet())) {
      return false;
    }
    for (Map.Entry<Integer, byte[]> entry : marksBySplit.entrySet()) {
      if (!Arrays.equals(entry.getValue(), that.marksBySplit.get(entry.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int hash = splitCount;
    for (Map.Entry<Integer, byte[]> entry : marksBySplit.entrySet()) {
      hash = 31 * hash + entry.getKey();
      hash = 31 * hash + Arrays.hashCode(entry.getValue());
    }
    return hash;
  }

  @Override
  public String toString() {
    StringBuilder text =
        new StringBuilder("UnboundedSourcePosition{splits=").append(splitCount).append(", marks={");
    String separator = "";
    for (Map.Entry<Integer, byte[]> entry : marksBySplit.entrySet()) {
      text.append(separator).append(entry.getKey()).append(": ");
      text.append(entry.getValue().length).append(" bytes");
      separator = ", ";
    }
    return text.append("}}").toString();
  }
}
