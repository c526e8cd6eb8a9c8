package dev.weir.worker.operators;

import java.util.Collection;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;

/** Assigns windows with the plan's {@link WindowFn}; timestamps and panes stay. */
public final class WindowIntoOperator implements StageOperator {
  private final WindowFn<Object, BoundedWindow> windowFn;
  private ElementReceiver output;

  @SuppressWarnings("unchecked")
  public WindowIntoOperator(WindowFn<?, ?> windowFn) {
    this.windowFn = (WindowFn<Object, BoundedWindow>) windowFn;
  }

  @Override
  public void open(OperatorContext context) {
    output = context.outputs().values().iterator().next();
  }

  @Override
  public void processElement(WindowedValue<?> element) {
    @SuppressWarnings("unchecked")
    WindowedValue<Object> in = (WindowedValue<Object>) element;
    try {
      for (BoundedWindow window : in.getWindows()) {
        Collection<BoundedWindow> windows =
            windowFn.assignWindows(new Assignment(in, window));
        output.accept(
            WindowedValues.of(in.getValue(), in.getTimestamp(), windows, in.getPaneInfo()));
      }
    } catch (Exception e) {
      throw new RuntimeException("Assigning windows with " + windowFn + " failed", e);
    }
  }

  /** The element being assigned, one of its current windows at a time. */
  private final class Assignment extends WindowFn<Object, BoundedWindow>.AssignContext {
    private final WindowedValue<Object> element;
    private final BoundedWindow window;

    Assignment(WindowedValue<Object> element, BoundedWindow window) {
      windowFn.super();
      this.element = element;
      this.window = window;
    }

    @Override
    public Object element() {
      return element.getValue();
    }

    @Override
    public Instant timestamp() {
      return element.getTimestamp();
    }

    @Override
    public BoundedWindow window() {
      return window;
    }
  }
}
