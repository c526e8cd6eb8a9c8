package dev.weir.translation;

import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.util.construction.PTransformTranslation;

/** Assigns each element to the windows its {@link WindowFn} chooses. */
public final class WindowIntoPlan extends OperatorPlan {
  private static final long serialVersionUID = 1L;

  private final WindowFn<?, ?> windowFn;

  WindowIntoPlan(String name, String input, Map<String, String> outputs, WindowFn<?, ?> windowFn) {
    super(name, PTransformTranslation.ASSIGN_WINDOWS_TRANSFORM_URN, List.of(input), outputs);
    this.windowFn = windowFn;
  }

  public WindowFn<?, ?> windowFn() {
    return windowFn;
  }
}
