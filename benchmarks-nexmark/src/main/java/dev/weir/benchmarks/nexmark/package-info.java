/**
 * Beam's Nexmark benchmark run unchanged on Weir and on Beam's Flink runner, side by side: {@link
 * dev.weir.benchmarks.nexmark.NexmarkSideBySide} starts Nexmark's own {@code Main} in a child JVM
 * per query and runner, reads the perf record Nexmark writes, and prints a table of events/s and
 * result counts. BENCHMARKS.md ("Nexmark") has the command and the measured figures.
 */
package dev.weir.benchmarks.nexmark;
