/**
 * Benchmarks that time the same Beam pipeline on Weir and on Beam's DirectRunner in one JVM, and
 * check every run's result before they report a figure. Start with {@link
 * dev.weir.benchmarks.BoundedGroupByKeyBenchmark}; BENCHMARKS.md at the repository root has the
 * command and measured figures.
 */
package dev.weir.benchmarks;
