/**
 * Benchmarks of Weir's keyed state backends on their own, without a pipeline: JMH
 * microbenchmarks of each Beam state type and of timers ({@link
 * dev.weir.benchmarks.state.RocksDbStateBenchmark}), and a run of many distinct keys under a small
 * heap ({@link dev.weir.benchmarks.state.RocksDbManyKeysRun}). Both are commands, not tests;
 * BENCHMARKS.md has the command lines and the figures.
 */
package dev.weir.benchmarks.state;
