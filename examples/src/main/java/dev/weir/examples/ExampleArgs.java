package dev.weir.examples;

import dev.weir.runner.WeirRunner;
import org.apache.beam.sdk.options.ApplicationNameOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Command-line parsing shared by every example's {@code main}: Beam's own, except that the runner
 * is {@link WeirRunner} when the arguments name none. Beam's default for {@code --runner} is the
 * DirectRunner, chosen by a default factory on {@link PipelineOptions#getRunner()} that a
 * sub-interface cannot override, so the examples set the runner themselves; an explicit {@code
 * --runner=...} still wins. The application (job) name is the calling main class's, unless {@code
 * --appName} is given.
 */
public final class ExampleArgs {
  private static final String RUNNER_FLAG = "--runner";
  private static final String APP_NAME_FLAG = "--appName";

  private ExampleArgs() {}

  /**
   * {@code PipelineOptionsFactory.fromArgs(args).withValidation().as(type)}, with {@link
   * WeirRunner} as the runner unless {@code args} hold a {@code --runner} argument.
   */
  public static <T extends PipelineOptions> T parse(String[] args, Class<T> type) {
    // The runner goes in as an argument rather than through setRunner afterwards: validation
    // already asks for the runner, and Beam's default one is absent from Weir's classpath.
    String[] withRunner = args;
    if (!names(args, RUNNER_FLAG)) {
      withRunner = new String[args.length + 1];
      withRunner[0] = RUNNER_FLAG + "=" + WeirRunner.class.getSimpleName();
      System.arraycopy(args, 0, withRunner, 1, args.length);
    }
    T options = PipelineOptionsFactory.fromArgs(withRunner).withValidation().as(type);
    if (!names(args, APP_NAME_FLAG)) {
      // Beam would name the application (and so the job) after this class, its caller.
      Class<?> main = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
          .getCallerClass();
      options.as(ApplicationNameOptions.class).setAppName(main.getSimpleName());
    }
    return options;
  }

  /** Whether {@code args} set the option {@code flag}, as {@code --flag=X} or {@code --flag}. */
  private static boolean names(String[] args, String flag) {
    for (String arg : args) {
      if (arg.equals(flag) || arg.startsWith(flag + "=")) {
        return true;
      }
    }
    return false;
  }
}
