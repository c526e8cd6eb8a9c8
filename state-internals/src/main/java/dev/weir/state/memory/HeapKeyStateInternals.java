package dev.weir.state.memory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.runners.core.InMemoryStateInternals.InMemoryStateBinder;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateTable;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTag.StateBinder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.CombiningState;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.MultimapState;
import org.apache.beam.sdk.state.OrderedListState;
import org.apache.beam.sdk.state.SetState;
import org.apache.beam.sdk.state.State;
import org.apache.beam.sdk.state.StateContext;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.state.WatermarkHoldState;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The state of one key on the heap. Cells are runners-core's in-memory ones, except watermark
 * holds, which report to the backend's {@link HoldCounts}.
 *
 * <p>For snapshots every cell is recorded with the coders of its spec when it is bound ({@link
 * BoundCell}). Cells restored from a snapshot are kept as bytes ({@link StoredCell}) until their
 * state is first bound, then decoded with the coders of that binding: the snapshot needs no coders
 * to be read, and cells never touched again are never decoded.
 */
final class HeapKeyStateInternals implements StateInternals {
  private @Nullable Object key;
  private final StateTable cells;

  /** Bound cells by namespace ({@code stringKey()}) and tag id, sorted so snapshots are stable. */
  private final Map<String, Map<String, BoundCell>> bound = new TreeMap<>();

  /** Restored cells not yet bound, by namespace ({@code stringKey()}) and tag id. */
  private final Map<String, Map<String, StoredCell>> restored = new HashMap<>();

  /**
   * @param key the decoded key, or null for a key restored from a snapshot: it is set by {@link
   *     #keyIs} when the worker first addresses the key
   */
  HeapKeyStateInternals(@Nullable Object key, HoldCounts holds) {
    this.key = key;
    this.cells =
        new StateTable() {
          @Override
          protected StateBinder binderForNamespace(StateNamespace namespace, StateContext<?> c) {
            return new RecordingBinder(namespace.stringKey(), c, holds);
          }
        };
  }

  void keyIs(Object decodedKey) {
    if (key == null) {
      key = decodedKey;
    }
  }

  @Override
  public @Nullable Object getKey() {
    return key;
  }

  @Override
  public <T extends State> T state(
      StateNamespace namespace, StateTag<T> address, StateContext<?> c) {
    return cells.get(namespace, address, c);
  }

  /** Adds a cell read from a snapshot; it is decoded when its state is bound. */
  void addRestored(String namespace, String tagId, StoredCell cell) {
    restored.computeIfAbsent(namespace, n -> new HashMap<>()).put(tagId, cell);
  }

  /** Whether there is anything to snapshot. */
  boolean hasState() {
    for (Map<String, BoundCell> tags : bound.values()) {
      for (BoundCell cell : tags.values()) {
        if (!cell.isEmpty()) {
          return true;
        }
      }
    }
    return !restored.isEmpty();
  }

  /**
   * Calls {@code action} with the namespace, tag id and snapshot form of every non-empty cell:
   * bound cells encoded now, restored cells not yet bound as they were read.
   */
  void forEachCell(CellVisitor action) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (Map.Entry<String, Map<String, BoundCell>> namespace : bound.entrySet()) {
      for (Map.Entry<String, BoundCell> tag : namespace.getValue().entrySet()) {
        BoundCell cell = tag.getValue();
        if (cell.isEmpty()) {
          continue;
        }
        bytes.reset();
        try {
          cell.write(new DataOutputStream(bytes));
        } catch (IOException e) {
          throw new UncheckedIOException(
              "Cannot encode state '" + tag.getKey() + "' in namespace " + namespace.getKey(), e);
        }
        StoredCell encoded = new StoredCell(cell.kind, bytes.toByteArray());
        action.accept(namespace.getKey(), tag.getKey(), encoded);
      }
    }
    for (Map.Entry<String, Map<String, StoredCell>> namespace : restored.entrySet()) {
      for (Map.Entry<String, StoredCell> tag : namespace.getValue().entrySet()) {
        action.accept(namespace.getKey(), tag.getKey(), tag.getValue());
      }
    }
  }

  /** Receives one cell of a key for a snapshot. */
  interface CellVisitor {
    void accept(String namespace, String tagId, StoredCell cell);
  }

  /**
   * Binds runners-core's in-memory cells (and {@link IndexedWatermarkHold}), records each with its
   * coders and fills it from the restored bytes of the same namespace and tag id, if any.
   */
  private final class RecordingBinder extends InMemoryStateBinder {
    private final String namespace;
    private final HoldCounts holds;

    RecordingBinder(String namespace, StateContext<?> c, HoldCounts holds) {
      super(c);
      this.namespace = namespace;
      this.holds = holds;
    }

    /** Restored bytes are dropped only once decoded, so a failed bind loses nothing. */
    private <S extends State> S record(StateTag<?> tag, S state, BoundCell cell) {
      Map<String, StoredCell> tags = restored.get(namespace);
      StoredCell stored = tags == null ? null : tags.get(tag.getId());
      if (stored != null) {
        fill(tag, cell, stored);
        tags.remove(tag.getId());
        if (tags.isEmpty()) {
          restored.remove(namespace);
        }
      }
      bound.computeIfAbsent(namespace, n -> new TreeMap<>()).put(tag.getId(), cell);
      return state;
    }

    private void fill(StateTag<?> tag, BoundCell cell, StoredCell stored) {
      if (stored.kind != cell.kind) {
        throw new IllegalStateException(
            "State '"
                + tag.getId()
                + "' in namespace "
                + namespace
                + " was snapshotted as "
                + stored.kind
                + " but is now declared as "
                + cell.kind);
      }
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored.payload));
      try {
        cell.read(in);
        if (in.available() > 0) {
          throw new IOException(in.available() + " bytes left after decoding");
        }
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException(
            "Cannot decode restored state '"
                + tag.getId()
                + "' in namespace "
                + namespace
                + " with the coders it is now declared with",
            e);
      }
    }

    @Override
    public <T> ValueState<T> bindValue(StateTag<ValueState<T>> address, Coder<T> coder) {
      ValueState<T> state = super.bindValue(address, coder);
      return record(address, state, BoundCell.value(state, coder));
    }

    @Override
    public <T> BagState<T> bindBag(StateTag<BagState<T>> address, Coder<T> elemCoder) {
      BagState<T> state = super.bindBag(address, elemCoder);
      return record(address, state, BoundCell.bag(state, elemCoder));
    }

    @Override
    public <T> SetState<T> bindSet(StateTag<SetState<T>> spec, Coder<T> elemCoder) {
      SetState<T> state = super.bindSet(spec, elemCoder);
      return record(spec, state, BoundCell.set(state, elemCoder));
    }

    @Override
    public <K, V> MapState<K, V> bindMap(
        StateTag<MapState<K, V>> spec, Coder<K> keyCoder, Coder<V> valueCoder) {
      MapState<K, V> state = super.bindMap(spec, keyCoder, valueCoder);
      return record(spec, state, BoundCell.map(state, keyCoder, valueCoder));
    }

    @Override
    public <K, V> MultimapState<K, V> bindMultimap(
        StateTag<MultimapState<K, V>> spec, Coder<K> keyCoder, Coder<V> valueCoder) {
      MultimapState<K, V> state = super.bindMultimap(spec, keyCoder, valueCoder);
      return record(spec, state, BoundCell.multimap(state, keyCoder, valueCoder));
    }

    @Override
    public <T> OrderedListState<T> bindOrderedList(
        StateTag<OrderedListState<T>> spec, Coder<T> elemCoder) {
      OrderedListState<T> state = super.bindOrderedList(spec, elemCoder);
      return record(spec, state, BoundCell.orderedList(state, elemCoder));
    }

    /** Also reached for combining state with context: runners-core binds the context first. */
    @Override
    public <InputT, AccumT, OutputT> CombiningState<InputT, AccumT, OutputT> bindCombiningValue(
        StateTag<CombiningState<InputT, AccumT, OutputT>> address,
        Coder<AccumT> accumCoder,
        CombineFn<InputT, AccumT, OutputT> combineFn) {
      CombiningState<InputT, AccumT, OutputT> state =
          super.bindCombiningValue(address, accumCoder, combineFn);
      return record(address, state, BoundCell.combining(state, accumCoder));
    }

    @Override
    public WatermarkHoldState bindWatermark(
        StateTag<WatermarkHoldState> address, TimestampCombiner combiner) {
      IndexedWatermarkHold state = new IndexedWatermarkHold(combiner, holds);
      return record(address, state, BoundCell.watermarkHold(state));
    }
  }
}
