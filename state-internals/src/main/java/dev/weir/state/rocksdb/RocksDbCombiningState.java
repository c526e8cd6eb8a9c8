package dev.weir.state.rocksdb;

import java.util.Arrays;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.CombiningState;
import org.apache.beam.sdk.state.ReadableState;
import org.apache.beam.sdk.transforms.Combine.CombineFn;

/**
 * The accumulator stored under the cell prefix. A combine function with context arrives here
 * already bound to its context.
 */
final class RocksDbCombiningState<InputT, AccumT, OutputT> extends RocksDbCell
    implements CombiningState<InputT, AccumT, OutputT> {
  private final Coder<AccumT> accumCoder;
  private final CombineFn<InputT, AccumT, OutputT> combineFn;

  RocksDbCombiningState(
      RocksDbCellContext context,
      byte[] prefix,
      Coder<AccumT> accumCoder,
      CombineFn<InputT, AccumT, OutputT> combineFn) {
    super(context, prefix, context.valuesCf);
    this.accumCoder = accumCoder;
    this.combineFn = combineFn;
  }

  @Override
  public AccumT getAccum() {
    byte[] bytes = store.get(cf, prefix);
    return bytes == null ? combineFn.createAccumulator() : decode(accumCoder, bytes);
  }

  private void writeAccum(AccumT accum) {
    store.put(cf, prefix, encode(accumCoder, accum));
  }

  @Override
  public void add(InputT value) {
    writeAccum(combineFn.addInput(getAccum(), value));
  }

  @Override
  public void addAccum(AccumT accum) {
    writeAccum(combineFn.mergeAccumulators(Arrays.asList(getAccum(), accum)));
  }

  @Override
  public AccumT mergeAccumulators(Iterable<AccumT> accumulators) {
    return combineFn.mergeAccumulators(accumulators);
  }

  @Override
  public OutputT read() {
    return combineFn.extractOutput(getAccum());
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return new LazyState<>(() -> store.get(cf, prefix) == null);
  }

  @Override
  public CombiningState<InputT, AccumT, OutputT> readLater() {
    return this;
  }

  @Override
  public void clear() {
    store.delete(cf, prefix);
  }
}
