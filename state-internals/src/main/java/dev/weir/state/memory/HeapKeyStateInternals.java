package dev.weir.state.memory;

import org.apache.beam.runners.core.InMemoryStateInternals.InMemoryStateBinder;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateTable;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTag.StateBinder;
import org.apache.beam.sdk.state.State;
import org.apache.beam.sdk.state.StateContext;
import org.apache.beam.sdk.state.WatermarkHoldState;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;

/**
 * The state of one key on the heap. Cells are runners-core's in-memory ones, except watermark
 * holds, which report to the backend's {@link HoldCounts}.
 */
final class HeapKeyStateInternals implements StateInternals {
  private final Object key;
  private final StateTable cells;

  HeapKeyStateInternals(Object key, HoldCounts holds) {
    this.key = key;
    this.cells =
        new StateTable() {
          @Override
          protected StateBinder binderForNamespace(StateNamespace namespace, StateContext<?> c) {
            return new InMemoryStateBinder(c) {
              @Override
              public WatermarkHoldState bindWatermark(
                  StateTag<WatermarkHoldState> address, TimestampCombiner combiner) {
                return new IndexedWatermarkHold(combiner, holds);
              }
            };
          }
        };
  }

  @Override
  public Object getKey() {
    return key;
  }

  @Override
  public <T extends State> T state(
      StateNamespace namespace, StateTag<T> address, StateContext<?> c) {
    return cells.get(namespace, address, c);
  }
}
