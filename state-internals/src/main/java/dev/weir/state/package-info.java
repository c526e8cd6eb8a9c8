/**
 * Keyed state and timers of a worker, partitioned by key group. Everything an operator keeps per
 * key goes through the Beam {@code StateInternals} and {@code TimerInternals} handed out here, so a
 * snapshot of the backend is a snapshot of the operator.
 */
package dev.weir.state;
