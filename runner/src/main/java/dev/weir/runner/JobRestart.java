package dev.weir.runner;

import java.util.OptionalLong;

/**
 * One restart of a job after a failure, as {@link WeirPipelineResult#restarts()} reports it.
 *
 * @param attempt the attempt that was started (1 for the first restart)
 * @param cause the failure of the previous attempt that caused the restart, as {@code
 *     Throwable.toString()} (the user's exception where user code threw)
 * @param restoredCheckpoint the checkpoint the new attempt started from; empty when there was none
 *     and the job started over from its beginning
 * @param atMillis when the new attempt was deployed, milliseconds since the epoch
 */
public record JobRestart(
    int attempt, String cause, OptionalLong restoredCheckpoint, long atMillis) {}
