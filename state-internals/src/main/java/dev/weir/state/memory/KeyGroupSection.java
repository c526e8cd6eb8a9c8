package dev.weir.state.memory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.util.VarInt;
import org.joda.time.Instant;

/**
 * The body of one key group's section in a heap snapshot. Counts and lengths are Beam varints;
 * byte strings and UTF-8 strings are length-prefixed; instants are millis as 8-byte longs.
 *
 * <pre>
 * keys     count, then per key (ascending unsigned key bytes):
 *            key bytes (canonical, as in StateKey) | cell count
 *            | per cell: namespace (stringKey) | tag id | kind (byte, {@link CellKind})
 *                        | payload (bytes, see {@link BoundCell})
 * timers   count, then per timer:
 *            key bytes | namespace (stringKey) | timer id | timer family id
 *            | domain (byte: 0 event, 1 processing, 2 synchronized processing)
 *            | timestamp | output timestamp
 * </pre>
 */
final class KeyGroupSection {
  /** Receives what a section holds, in file order. */
  interface Sink {
    void cell(byte[] keyBytes, String namespace, String tagId, StoredCell cell);

    void timer(
        byte[] keyBytes,
        String namespace,
        String timerId,
        String timerFamilyId,
        TimeDomain domain,
        Instant timestamp,
        Instant outputTimestamp);
  }

  private record NamedCell(String namespace, String tagId, StoredCell cell) {}

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final DataOutputStream out = new DataOutputStream(bytes);
  private final List<byte[]> keys = new ArrayList<>();
  private final List<HeapKeyStateInternals> states = new ArrayList<>();
  private final List<byte[]> timerKeys = new ArrayList<>();
  private final List<TimerData> timers = new ArrayList<>();

  void addKey(byte[] keyBytes, HeapKeyStateInternals state) {
    keys.add(keyBytes);
    states.add(state);
  }

  void addTimer(byte[] keyBytes, TimerData timer) {
    timerKeys.add(keyBytes);
    timers.add(timer);
  }

  /** Keys must have been added in ascending order of their bytes. */
  byte[] encode() {
    try {
      VarInt.encode(keys.size(), out);
      for (int i = 0; i < keys.size(); i++) {
        writeBytes(keys.get(i));
        List<NamedCell> cells = new ArrayList<>();
        states.get(i).forEachCell((ns, tag, cell) -> cells.add(new NamedCell(ns, tag, cell)));
        VarInt.encode(cells.size(), out);
        for (NamedCell cell : cells) {
          writeString(cell.namespace());
          writeString(cell.tagId());
          out.writeByte(cell.cell().kind.code);
          writeBytes(cell.cell().payload);
        }
      }
      VarInt.encode(timers.size(), out);
      for (int i = 0; i < timers.size(); i++) {
        TimerData timer = timers.get(i);
        writeBytes(timerKeys.get(i));
        writeString(timer.getNamespace().stringKey());
        writeString(timer.getTimerId());
        writeString(timer.getTimerFamilyId());
        out.writeByte(domainCode(timer.getDomain()));
        out.writeLong(timer.getTimestamp().getMillis());
        out.writeLong(timer.getOutputTimestamp().getMillis());
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static void decode(byte[] body, Sink sink) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
    int keyCount = VarInt.decodeInt(in);
    for (int k = 0; k < keyCount; k++) {
      byte[] key = readBytes(in);
      int cellCount = VarInt.decodeInt(in);
      for (int c = 0; c < cellCount; c++) {
        String namespace = readString(in);
        String tagId = readString(in);
        CellKind kind = CellKind.ofCode(in.readUnsignedByte());
        sink.cell(key, namespace, tagId, new StoredCell(kind, readBytes(in)));
      }
    }
    int timerCount = VarInt.decodeInt(in);
    for (int t = 0; t < timerCount; t++) {
      byte[] key = readBytes(in);
      String namespace = readString(in);
      String timerId = readString(in);
      String family = readString(in);
      TimeDomain domain = domainOf(in.readUnsignedByte());
      Instant timestamp = new Instant(in.readLong());
      Instant output = new Instant(in.readLong());
      sink.timer(key, namespace, timerId, family, domain, timestamp, output);
    }
    if (in.available() > 0) {
      throw new IOException(in.available() + " bytes after the last timer");
    }
  }

  /** Explicit codes rather than ordinals: the file must not change if Beam reorders the enum. */
  private static int domainCode(TimeDomain domain) {
    switch (domain) {
      case EVENT_TIME:
        return 0;
      case PROCESSING_TIME:
        return 1;
      case SYNCHRONIZED_PROCESSING_TIME:
        return 2;
      default:
        throw new IllegalArgumentException("Unknown time domain " + domain);
    }
  }

  private static TimeDomain domainOf(int code) throws IOException {
    switch (code) {
      case 0:
        return TimeDomain.EVENT_TIME;
      case 1:
        return TimeDomain.PROCESSING_TIME;
      case 2:
        return TimeDomain.SYNCHRONIZED_PROCESSING_TIME;
      default:
        throw new IOException("Unknown time domain code " + code);
    }
  }

  private void writeBytes(byte[] value) throws IOException {
    VarInt.encode(value.length, out);
    out.write(value);
  }

  private void writeString(String value) throws IOException {
    writeBytes(value.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int length = VarInt.decodeInt(in);
    if (length < 0 || length > in.available()) {
      throw new IOException("Length " + length + " exceeds the " + in.available() + " bytes left");
    }
    byte[] value = new byte[length];
    in.readFully(value);
    return value;
  }

  private static String readString(DataInputStream in) throws IOException {
    return new String(readBytes(in), StandardCharsets.UTF_8);
  }
}
