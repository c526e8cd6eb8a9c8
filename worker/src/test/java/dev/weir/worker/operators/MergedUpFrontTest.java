package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.transforms.windowing.WindowMappingFn;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

public class MergedUpFrontTest {
  private static WindowedValue<Object> at(long millis, long gap) {
    return WindowedValues.of(
        (Object) ("v" + millis),
        new Instant(millis),
        new IntervalWindow(new Instant(millis), Duration.millis(gap)),
        PaneInfo.NO_FIRING);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static WindowFn<?, BoundedWindow> sessions(long gap) {
    return (WindowFn) Sessions.withGapDuration(Duration.millis(gap));
  }

  @Test
  public void valuesOfOneSessionAreMovedIntoTheSessionAndOthersKeepTheirWindow() throws Exception {
    List<WindowedValue<Object>> values = List.of(at(0, 10), at(5, 10), at(12, 10), at(100, 10));

    List<WindowedValue<Object>> moved = MergedUpFront.of(sessions(10), values);

    IntervalWindow session = new IntervalWindow(new Instant(0), new Instant(22));
    for (int i = 0; i < 3; i++) {
      assertEquals(List.of(session), new ArrayList<>(moved.get(i).getWindows()));
      assertEquals(values.get(i).getValue(), moved.get(i).getValue());
      assertEquals(values.get(i).getTimestamp(), moved.get(i).getTimestamp());
    }
    assertSame(values.get(3), moved.get(3));
  }

  @Test
  public void valuesThatMergeNothingAreReturnedAsTheyCame() throws Exception {
    List<WindowedValue<Object>> values = List.of(at(0, 10), at(50, 10));

    assertSame(values, MergedUpFront.of(sessions(10), values));
  }

  @Test
  public void aWindowFnThatWouldMergeAgainOnASecondPassKeepsTheValuesAsTheyCame()
      throws Exception {
    List<WindowedValue<Object>> values = List.of(at(0, 10), at(20, 10), at(40, 10));

    assertSame(values, MergedUpFront.of(new OnePairPerPass(), values));
  }

  /** Merges only the two earliest windows per pass, whatever their distance: not final in one. */
  private static final class OnePairPerPass extends WindowFn<Object, BoundedWindow> {
    @Override
    public Collection<BoundedWindow> assignWindows(AssignContext c) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void mergeWindows(MergeContext c) throws Exception {
      List<IntervalWindow> sorted = new ArrayList<>();
      for (BoundedWindow window : c.windows()) {
        sorted.add((IntervalWindow) window);
      }
      if (sorted.size() < 2) {
        return;
      }
      sorted.sort(IntervalWindow::compareTo);
      c.merge(List.of(sorted.get(0), sorted.get(1)), sorted.get(0).span(sorted.get(1)));
    }

    @Override
    public boolean isCompatible(WindowFn<?, ?> other) {
      return other instanceof OnePairPerPass;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Coder<BoundedWindow> windowCoder() {
      return (Coder) IntervalWindow.getCoder();
    }

    @Override
    public WindowMappingFn<BoundedWindow> getDefaultWindowMappingFn() {
      throw new UnsupportedOperationException();
    }
  }
}
