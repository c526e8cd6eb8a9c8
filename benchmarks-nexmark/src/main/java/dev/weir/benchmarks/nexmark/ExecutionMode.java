package dev.weir.benchmarks.nexmark;

import java.util.List;
import java.util.Locale;

/** Batch or streaming, as Nexmark's {@code --streaming} chooses its bounded or unbounded generator. */
public enum ExecutionMode {
  BATCH(List.of("--streaming=false")),
  /**
   * The unbounded generator stops after {@code --numEvents} and moves its watermark to the end of
   * time, so the job finishes by itself; the cancel flag only matters to a runner that would not.
   */
  STREAMING(List.of("--streaming=true", "--cancelStreamingJobAfterFinish=true"));

  private final List<String> nexmarkArguments;

  ExecutionMode(List<String> nexmarkArguments) {
    this.nexmarkArguments = nexmarkArguments;
  }

  List<String> nexmarkArguments() {
    return nexmarkArguments;
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  static ExecutionMode named(String name) {
    for (ExecutionMode mode : values()) {
      if (mode.label().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return mode;
      }
    }
    throw new IllegalArgumentException("Unknown mode '" + name + "': expected batch or streaming");
  }
}
