package dev.weir.benchmarks;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Makes fresh pipeline options for each run from the benchmark's command line, with {@code
 * --runner} replaced by the runner under test, so no run sees another run's option state.
 */
final class RunnerOptions {
  private final List<String> args = new ArrayList<>();

  RunnerOptions(String[] commandLine) {
    for (String arg : commandLine) {
      if (!arg.startsWith("--runner=") && !arg.startsWith("--runners=")) {
        args.add(arg);
      }
    }
  }

  BenchmarkOptions forRunner(String runner) {
    List<String> all = new ArrayList<>(args);
    all.add("--runner=" + runner);
    return PipelineOptionsFactory.fromArgs(all.toArray(new String[0]))
        .withValidation()
        .as(BenchmarkOptions.class);
  }
}
