package dev.weir.state.rocksdb;

import dev.weir.state.StateKey;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateNamespace;
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
import org.apache.beam.sdk.transforms.CombineWithContext.CombineFnWithContext;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.util.CombineFnUtil;

/**
 * The state of one key. Holds no data: each {@code state(...)} call returns a small cell object
 * addressing RocksDB keys {@code keyGroup | key | namespace | state id | ...}.
 */
final class RocksDbKeyStateInternals implements StateInternals {
  private final RocksDbCellContext context;
  private final StateKey key;

  RocksDbKeyStateInternals(RocksDbCellContext context, StateKey key) {
    this.context = context;
    this.key = key;
  }

  @Override
  public Object getKey() {
    return key.key();
  }

  @Override
  public <T extends State> T state(
      StateNamespace namespace, StateTag<T> address, StateContext<?> c) {
    byte[] keyBytes = key.bytes();
    byte[] namespaceBytes = context.names.namespace(namespace);
    byte[] idBytes = context.names.id(address.getId());
    byte[] prefix =
        new KeyBytesWriter(
                2
                    + KeyBytesWriter.varIntSize(keyBytes.length)
                    + keyBytes.length
                    + KeyBytesWriter.varIntSize(namespaceBytes.length)
                    + namespaceBytes.length
                    + KeyBytesWriter.varIntSize(idBytes.length)
                    + idBytes.length)
            .keyGroup(key.keyGroup())
            .lengthPrefixed(keyBytes)
            .lengthPrefixed(namespaceBytes)
            .lengthPrefixed(idBytes)
            .toBytes();
    return address.bind(new CellBinder(prefix, c));
  }

  private final class CellBinder implements StateBinder {
    private final byte[] prefix;
    private final StateContext<?> c;

    CellBinder(byte[] prefix, StateContext<?> c) {
      this.prefix = prefix;
      this.c = c;
    }

    @Override
    public <T> ValueState<T> bindValue(StateTag<ValueState<T>> spec, Coder<T> coder) {
      return new RocksDbValueState<>(context, prefix, coder);
    }

    @Override
    public <T> BagState<T> bindBag(StateTag<BagState<T>> spec, Coder<T> elemCoder) {
      return new RocksDbBagState<>(context, prefix, elemCoder);
    }

    @Override
    public <T> SetState<T> bindSet(StateTag<SetState<T>> spec, Coder<T> elemCoder) {
      return new RocksDbSetState<>(context, prefix, elemCoder);
    }

    @Override
    public <KeyT, ValueT> MapState<KeyT, ValueT> bindMap(
        StateTag<MapState<KeyT, ValueT>> spec, Coder<KeyT> mapKeyCoder, Coder<ValueT> mapValueCoder) {
      return new RocksDbMapState<>(context, prefix, mapKeyCoder, mapValueCoder);
    }

    @Override
    public <KeyT, ValueT> MultimapState<KeyT, ValueT> bindMultimap(
        StateTag<MultimapState<KeyT, ValueT>> spec, Coder<KeyT> keyCoder, Coder<ValueT> valueCoder) {
      return new RocksDbMultimapState<>(context, prefix, keyCoder, valueCoder);
    }

    @Override
    public <T> OrderedListState<T> bindOrderedList(
        StateTag<OrderedListState<T>> spec, Coder<T> elemCoder) {
      return new RocksDbOrderedListState<>(context, prefix, elemCoder);
    }

    @Override
    public <InputT, AccumT, OutputT> CombiningState<InputT, AccumT, OutputT> bindCombiningValue(
        StateTag<CombiningState<InputT, AccumT, OutputT>> spec,
        Coder<AccumT> accumCoder,
        CombineFn<InputT, AccumT, OutputT> combineFn) {
      return new RocksDbCombiningState<>(context, prefix, accumCoder, combineFn);
    }

    @Override
    public <InputT, AccumT, OutputT>
        CombiningState<InputT, AccumT, OutputT> bindCombiningValueWithContext(
            StateTag<CombiningState<InputT, AccumT, OutputT>> spec,
            Coder<AccumT> accumCoder,
            CombineFnWithContext<InputT, AccumT, OutputT> combineFn) {
      return new RocksDbCombiningState<>(
          context, prefix, accumCoder, CombineFnUtil.bindContext(combineFn, c));
    }

    @Override
    public WatermarkHoldState bindWatermark(
        StateTag<WatermarkHoldState> spec, TimestampCombiner timestampCombiner) {
      return new RocksDbWatermarkHoldState(context, prefix, timestampCombiner);
    }
  }
}
