package dev.weir.validatesrunner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import java.util.ServiceLoader;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.runners.PipelineRunnerRegistrar;

/**
 * What the report needs to know of the suite's pipeline options: which runner they name, and
 * whether that runner is on the classpath at all.
 */
public final class RunnerOptions {

  private static final String RUNNER = "--runner=";

  private RunnerOptions() {}

  /**
   * The value of {@code --runner=} in the options, a JSON array of strings as TestPipeline reads
   * it from {@code beamTestPipelineOptions}; empty if none is given.
   */
  public static Optional<String> runnerName(String options) {
    if (options == null || options.isBlank()) {
      return Optional.empty();
    }
    String[] arguments;
    try {
      arguments = new ObjectMapper().readValue(options, String[].class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("options are not a JSON array of strings: " + options, e);
    }
    for (String argument : arguments) {
      if (argument.startsWith(RUNNER)) {
        return Optional.of(argument.substring(RUNNER.length()).strip());
      }
    }
    return Optional.empty();
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
