package dev.weir.benchmarks.nexmark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One Nexmark query on one runner in one mode: what a child JVM is started for. */
record QueryRun(int query, ExecutionMode mode, long events, ComparedRunner runner) {

  /**
   * Nexmark's own arguments: its default suite narrowed to one query, no resources of its own to
   * manage, and job monitoring on, which is what fills the perf record (events/s, results).
   */
  List<String> nexmarkArguments(Path perfFile) {
    List<String> arguments = new ArrayList<>(runner.nexmarkArguments());
    arguments.add("--query=" + query);
    arguments.add("--numEvents=" + events);
    arguments.addAll(mode.nexmarkArguments());
    arguments.add("--manageResources=false");
    arguments.add("--monitorJobs=true");
    arguments.add("--perfFilename=" + perfFile);
    return arguments;
  }

  /** A file name stem that tells runs apart, such as {@code batch-q5-WeirRunner}. */
  String stem() {
    return mode.label() + "-q" + query + "-" + runner.runnerName();
  }
}
