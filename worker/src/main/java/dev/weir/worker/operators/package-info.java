/**
 * The operators a stage fuses: each runs one primitive transform of the plan inside a subtask,
 * using {@code beam-runners-core-java}'s runners for DoFns, grouping and side inputs. Keyed state
 * and timers live in a {@link dev.weir.state.KeyedStateBackend}.
 */
package dev.weir.worker.operators;
