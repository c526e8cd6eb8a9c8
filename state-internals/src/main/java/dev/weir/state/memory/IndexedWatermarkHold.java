package dev.weir.state.memory;

import org.apache.beam.sdk.state.ReadableState;
import org.apache.beam.sdk.state.WatermarkHoldState;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A watermark hold cell on the heap that keeps {@link HoldCounts} up to date on every change, so
 * the backend knows its minimum hold without visiting any key.
 */
final class IndexedWatermarkHold implements WatermarkHoldState {
  private final TimestampCombiner combiner;
  private final HoldCounts holds;
  private @Nullable Instant hold;

  IndexedWatermarkHold(TimestampCombiner combiner, HoldCounts holds) {
    this.combiner = combiner;
    this.holds = holds;
  }

  @Override
  public TimestampCombiner getTimestampCombiner() {
    return combiner;
  }

  @Override
  public void add(Instant value) {
    Instant next = hold == null ? value : combiner.combine(hold, value);
    holds.replace(hold, next);
    hold = next;
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return new ReadableState<Boolean>() {
      @Override
      public Boolean read() {
        return hold == null;
      }

      @Override
      public ReadableState<Boolean> readLater() {
        return this;
      }
    };
  }

  @Override
  public @Nullable Instant read() {
    return hold;
  }

  @Override
  public WatermarkHoldState readLater() {
    return this;
  }

  @Override
  public void clear() {
    holds.replace(hold, null);
    hold = null;
  }

  /**
   * Sets the hold of a cell restored from a snapshot, whose hold the restore registered in {@link
   * HoldCounts} already (so the minimum was right before the cell was bound).
   */
  void restoreRegistered(Instant restored) {
    hold = restored;
  }

  @Override
  public String toString() {
    return String.valueOf(hold);
  }
}
