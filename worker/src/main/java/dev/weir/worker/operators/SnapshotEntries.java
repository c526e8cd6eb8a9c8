package dev.weir.worker.operators;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.VarInt;

/**
 * Names and bytes of the entries an operator returns from {@link StageOperator#snapshotState}.
 * An entry is named {@code prefix/subtaskIndex}, so the names of one operator's subtasks never
 * meet, and holds a format version followed by Beam coder bytes (no Java serialization). On a
 * restore, {@link OperatorContext#restoredEntries} holds the entries of every old subtask; these
 * methods pick the ones a new subtask takes, so that after a change of parallelism nothing is
 * taken twice or dropped.
 */
final class SnapshotEntries {
  private SnapshotEntries() {}

  static String name(String prefix, int subtaskIndex) {
    return prefix + "/" + subtaskIndex;
  }

  /** Old subtask index to entry bytes, of the entries named {@code prefix/i}, by index. */
  static TreeMap<Integer, byte[]> byOldSubtask(Map<String, byte[]> entries, String prefix) {
    TreeMap<Integer, byte[]> found = new TreeMap<>();
    String start = prefix + "/";
    for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
      String name = entry.getKey();
      if (name.startsWith(start)) {
        try {
          found.put(Integer.parseInt(name.substring(start.length())), entry.getValue());
        } catch (NumberFormatException e) {
          throw new IllegalStateException("Unexpected snapshot entry name " + name, e);
        }
      }
    }
    return found;
  }

  /**
   * The entries of {@code prefix} that subtask {@code subtaskIndex} of {@code parallelism} takes:
   * old subtask {@code i}'s goes to new subtask {@code i mod parallelism}, so each old subtask's
   * entry is taken by exactly one new subtask whatever the two parallelisms are.
   */
  static TreeMap<Integer, byte[]> takenBy(
      Map<String, byte[]> entries, String prefix, int subtaskIndex, int parallelism) {
    TreeMap<Integer, byte[]> taken = new TreeMap<>();
    byOldSubtask(entries, prefix)
        .forEach(
            (oldIndex, bytes) -> {
              if (oldIndex % parallelism == subtaskIndex) {
                taken.put(oldIndex, bytes);
              }
            });
    return taken;
  }

  static <T> byte[] encode(int version, Coder<T> coder, T value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      VarInt.encode(version, out);
      coder.encode(value, out);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode a snapshot entry with " + coder, e);
    }
    return out.toByteArray();
  }

  /** Decodes what {@link #encode} wrote with the same {@code version}; refuses any other. */
  static <T> T decode(int version, Coder<T> coder, byte[] bytes, String what) {
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    try {
      int found = VarInt.decodeInt(in);
      if (found != version) {
        throw new IllegalStateException(
            what + " has snapshot format version " + found + "; this Weir reads " + version);
      }
      T value = coder.decode(in);
      if (in.available() > 0) {
        throw new CoderException(in.available() + " bytes left over");
      }
      return value;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot decode " + what, e);
    }
  }
}
