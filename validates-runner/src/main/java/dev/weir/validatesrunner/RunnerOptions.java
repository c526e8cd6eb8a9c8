package dev.weir.validatesrunner;

import java.util.Optional;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.runners.PipelineRunnerRegistrar;

/**
 * What the report needs to know of the suite's pipeline options: which runner they name, and
 * whether that runner is on the classpath at all.
 */
public final class RunnerOptions {

  private static final Pattern RUNNER = Pattern.compile("--runner=([A-Za-z0-9_.$]+)");

  private RunnerOptions() {}

  /** The value of {@code --runner=} in the options (a JSON array as text), if any. */
  public static Optional<String> runnerName(String options) {
    Matcher matcher = RUNNER.matcher(options == null ? "" : options);
    return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  /**
   * Whether Beam could find the runner: a class name that loads, or a short name that a
   * registered {@link PipelineRunnerRegistrar} offers (compared as Beam does: the simple class
   * name, case-insensitively).
   */
  public static boolean isAvailable(String runner, ClassLoader loader) {
    if (runner.contains(".")) {
      try {
        Class.forName(runner, false, loader);
        return true;
      } catch (ClassNotFoundException | LinkageError e) {
        return false;
      }
    }
    for (PipelineRunnerRegistrar registrar :
        ServiceLoader.load(PipelineRunnerRegistrar.class, loader)) {
      for (Class<? extends PipelineRunner<?>> candidate : registrar.getPipelineRunners()) {
        if (candidate.getSimpleName().equalsIgnoreCase(runner)) {
          return true;
        }
      }
    }
    return false;
  }
}
