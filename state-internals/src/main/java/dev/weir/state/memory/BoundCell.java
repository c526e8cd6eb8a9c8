package dev.weir.state.memory;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.beam.runners.core.InMemoryStateInternals.InMemoryState;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.CombiningState;
import org.apache.beam.sdk.state.GroupingState;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.MultimapState;
import org.apache.beam.sdk.state.OrderedListState;
import org.apache.beam.sdk.state.SetState;
import org.apache.beam.sdk.state.State;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/**
 * A bound heap state cell with the coders its spec gave at bind time: what a snapshot needs to
 * write the cell's Java objects as Beam coder bytes, and a restore to read them back into it.
 *
 * <p>Payloads, per kind (counts are Beam varints, elements in the coders' nested context):
 *
 * <ul>
 *   <li>value: a byte 1 then the value, or a byte 0 for a written null;
 *   <li>bag, set: count, elements;
 *   <li>combining: the accumulator;
 *   <li>map, multimap: count, then key and value per entry;
 *   <li>ordered list: count, then timestamp (millis, 8 bytes big-endian) and element per entry;
 *   <li>watermark hold: the hold (millis, 8 bytes big-endian).
 * </ul>
 */
abstract class BoundCell {
  final CellKind kind;

  private BoundCell(CellKind kind) {
    this.kind = kind;
  }

  /** A cell with nothing to snapshot: never written, or cleared. */
  abstract boolean isEmpty();

  abstract void write(DataOutputStream out) throws IOException;

  /** Fills this freshly bound, empty cell with a payload {@link #write} produced. */
  abstract void read(DataInputStream in) throws IOException;

  static boolean isCleared(State state) {
    return ((InMemoryState<?>) state).isCleared();
  }

  static <T> BoundCell value(ValueState<T> state, Coder<T> coder) {
    return new BoundCell(CellKind.VALUE) {
      @Override
      boolean isEmpty() {
        return isCleared(state);
      }

      @Override
      void write(DataOutputStream out) throws IOException {
        T value = state.read();
        out.writeByte(value == null ? 0 : 1);
        if (value != null) {
          coder.encode(value, out);
        }
      }

      @Override
      void read(DataInputStream in) throws IOException {
        state.write(in.readByte() == 0 ? null : coder.decode(in));
      }
    };
  }

  static <T> BoundCell bag(BagState<T> state, Coder<T> coder) {
    return elements(CellKind.BAG, state, coder);
  }

  static <T> BoundCell set(SetState<T> state, Coder<T> coder) {
    return elements(CellKind.SET, state, coder);
  }

  /** A bag or a set: its elements, written in read order and added back one by one. */
  private static <T> BoundCell elements(
      CellKind kind, GroupingState<T, Iterable<T>> state, Coder<T> coder) {
    return new BoundCell(kind) {
      @Override
      boolean isEmpty() {
        return isCleared(state);
      }

      @Override
      void write(DataOutputStream out) throws IOException {
        writeAll(state.read(), coder, out);
      }

      @Override
      void read(DataInputStream in) throws IOException {
        for (T element : readAll(coder, in)) {
          state.add(element);
        }
      }
    };
  }

  static <AccumT> BoundCell combining(
      CombiningState<?, AccumT, ?> state, Coder<AccumT> accumCoder) {
    return new BoundCell(CellKind.COMBINING) {
      @Override
      boolean isEmpty() {
        return isCleared(state);
      }

      @Override
      void write(DataOutputStream out) throws IOException {
        accumCoder.encode(state.getAccum(), out);
      }

      /** Merged into the empty accumulator, which a CombineFn must treat as the identity. */
      @Override
      void read(DataInputStream in) throws IOException {
        state.addAccum(accumCoder.decode(in));
      }
    };
  }

  static <K, V> BoundCell map(MapState<K, V> state, Coder<K> keyCoder, Coder<V> valueCoder) {
    return new BoundCell(CellKind.MAP) {
      @Override
      boolean isEmpty() {
        return isCleared(state);
      }

      @Override
      void write(DataOutputStream out) throws IOException {
        writeEntries(state.entries().read(), keyCoder, valueCoder, out);
      }

      @Override
      void read(DataInputStream in) throws IOException {
        readEntries(keyCoder, valueCoder, in, state::put);
      }
    };
  }

  static <K, V> BoundCell multimap(
      MultimapState<K, V> state, Coder<K> keyCoder, Coder<V> valueCoder) {
    return new BoundCell(CellKind.MULTIMAP) {
      @Override
      boolean isEmpty() {
        return isCleared(state);
      }

      @Override
      void write(DataOutputStream out) throws IOException {
        writeEntries(state.entries().read(), keyCoder, valueCoder, out);
      }

      @Override
      void read(DataInputStream in) throws IOException {
        readEntries(keyCoder, valueCoder, in, state::put);
      }
    };
  }

  static <T> BoundCell orderedList(OrderedListState<T> state, Coder<T> coder) {
    return new BoundCell(CellKind.ORDERED_LIST) {
      @Override
      boolean isEmpty() {
        return isCleared(state);
      }

      @Override
      void write(DataOutputStream out) throws IOException {
        List<TimestampedValue<T>> entries = new ArrayList<>();
        state.read().forEach(entries::add);
        VarInt.encode(entries.size(), out);
        for (TimestampedValue<T> entry : entries) {
          out.writeLong(entry.getTimestamp().getMillis());
          coder.encode(entry.getValue(), out);
        }
      }

      @Override
      void read(DataInputStream in) throws IOException {
        int count = VarInt.decodeInt(in);
        for (int i = 0; i < count; i++) {
          Instant timestamp = new Instant(in.readLong());
          state.add(TimestampedValue.of(coder.decode(in), timestamp));
        }
      }
    };
  }

  /** Its hold is registered in the backend's {@link HoldCounts} by the restore, not here. */
  static BoundCell watermarkHold(IndexedWatermarkHold state) {
    return new BoundCell(CellKind.WATERMARK_HOLD) {
      @Override
      boolean isEmpty() {
        return state.read() == null;
      }

      @Override
      void write(DataOutputStream out) throws IOException {
        out.writeLong(state.read().getMillis());
      }

      @Override
      void read(DataInputStream in) throws IOException {
        state.restoreRegistered(new Instant(in.readLong()));
      }
    };
  }

  /** The hold of a watermark hold cell's payload. */
  static Instant holdOf(byte[] payload) {
    if (payload.length != 8) {
      throw new IllegalArgumentException("A watermark hold is 8 bytes, not " + payload.length);
    }
    return new Instant(ByteBuffer.wrap(payload).getLong());
  }

  private static <T> void writeAll(Iterable<T> elements, Coder<T> coder, DataOutputStream out)
      throws IOException {
    List<T> all = new ArrayList<>();
    elements.forEach(all::add);
    VarInt.encode(all.size(), out);
    for (T element : all) {
      coder.encode(element, out);
    }
  }

  private static <T> List<T> readAll(Coder<T> coder, DataInputStream in) throws IOException {
    int count = VarInt.decodeInt(in);
    List<T> all = new ArrayList<>(Math.min(count, 1024));
    for (int i = 0; i < count; i++) {
      all.add(coder.decode(in));
    }
    return all;
  }

  private static <K, V> void writeEntries(
      Iterable<Map.Entry<K, V>> entries,
      Coder<K> keyCoder,
      Coder<V> valueCoder,
      DataOutputStream out)
      throws IOException {
    List<Map.Entry<K, V>> all = new ArrayList<>();
    entries.forEach(all::add);
    VarInt.encode(all.size(), out);
    for (Map.Entry<K, V> entry : all) {
      keyCoder.encode(entry.getKey(), out);
      valueCoder.encode(entry.getValue(), out);
    }
  }

  /** Reads what {@link #writeEntries} wrote, handing each entry to {@code put}. */
  private static <K, V> void readEntries(
      Coder<K> keyCoder, Coder<V> valueCoder, DataInputStream in, BiConsumer<K, V> put)
      throws IOException {
    int count = VarInt.decodeInt(in);
    for (int i = 0; i < count; i++) {
      put.accept(keyCoder.decode(in), valueCoder.decode(in));
    }
  }
}
