/**
 * The coordinator's bookkeeping of checkpoints, free of threads, clocks and I/O: which subtasks a
 * checkpoint waits for, what they acknowledged, and the metadata it completes with. The runner's
 * {@code CheckpointCoordinator} drives it (triggers, timeouts, storage, messages to workers).
 */
package dev.weir.checkpoint.coordination;
