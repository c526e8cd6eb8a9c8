package dev.weir.examples;

import dev.weir.runner.WeirRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Command-line parsing shared by every example's {@code main}: Beam's own, except that the runner
 * is {@link WeirRunner} when the arguments name none. Beam's default for {@code --runner} is the
 * DirectRunner, chosen by a default factory on {@link PipelineOptions#getRunner()} that a
 * sub-interface cannot override, so the examples set the runner themselves; an explicit {@code
 * --runner=...} still wins.
 */
public final class ExampleArgs {
  private static final String RUNNER_FLAG = "--runner";

  private ExampleArgs() {}

  /**
   * {@code PipelineOptionsFactory.fromArgs(args).withValidation().as(type)}, with {@link
   * WeirRunner} as the runner unless {@code args} hold a {@code --runner} argument.
   */
  public static <T extends PipelineOptions> T parse(String[] args, Class<T> type) {
    T options = PipelineOptionsFactory.fromArgs(args).withValidation().as(type);
    if (!namesRunner(args)) {
      options.setRunner(WeirRunner.class);
    }
    return options;
  }

  /** Whether {@code args} set the runner, as {@code --runner=X} (Beam's only form for it). */
  static boolean namesRunner(String[] args) {
    for (String arg : args) {
      if (arg.equals(RUNNER_FLAG) || arg.startsWith(RUNNER_FLAG + "=")) {
        return true;
      }
    }
    return false;
  }
}
