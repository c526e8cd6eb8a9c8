package dev.weir.benchmarks.nexmark;

import java.util.List;

/**
 * A runner under comparison and the arguments it runs Nexmark with. Weir gets nothing but its
 * name: its defaults are what a user gets. The Flink runner runs on a local mini-cluster at
 * parallelism 2, which matches Weir's embedded cluster of two workers on this 2-core machine.
 */
public enum ComparedRunner {
  FLINK("FlinkRunner", List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2")),
  WEIR("WeirRunner", List.of("--runner=WeirRunner")),
  /**
   * Weir with its web server ({@code --webPort=0}), read while the job runs as a browser and
   * Prometheus would read it, from this driver's process ({@link WebReader}): for the cost of the
   * UI and metrics (issue 17).
   */
  WEIR_WEB("WeirRunnerWithWeb", List.of("--runner=WeirRunner", "--webPort=0")),
  /** Beam's reference runner, for telling a runner's quirk from the query's own behaviour. */
  DIRECT("DirectRunner", List.of("--runner=DirectRunner"));

  private final String runnerName;
  private final List<String> nexmarkArguments;

  ComparedRunner(String runnerName, List<String> nexmarkArguments) {
    this.runnerName = runnerName;
    this.nexmarkArguments = nexmarkArguments;
  }

  String runnerName() {
    return runnerName;
  }

  List<String> nexmarkArguments() {
    return nexmarkArguments;
  }

  static ComparedRunner named(String name) {
    for (ComparedRunner runner : values()) {
      if (runner.runnerName.equalsIgnoreCase(name.trim())) {
        return runner;
      }
    }
    throw new IllegalArgumentException(
        "Unknown runner '"
            + name
            + "': expected FlinkRunner, WeirRunner, WeirRunnerWithWeb or DirectRunner");
  }
}
