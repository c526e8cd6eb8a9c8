/**
 * What a checkpoint of keyed state costs, without a pipeline around it: the real backends written
 * through Beam's state API as an operator writes them, snapshotted, and uploaded incrementally to
 * the real {@link dev.weir.checkpoint.storage.CheckpointStorage} on a local directory. {@link
 * dev.weir.benchmarks.checkpoint.IncrementalCheckpointRun} is a command, not a test; BENCHMARKS.md
 * has the command line and the figures.
 */
package dev.weir.benchmarks.checkpoint;
