package dev.weir.runner;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Where the failure of an attempt came from, for the web's exception history: the subtask that
 * reported it, the worker it ran on, and the step (fused transform) it came out of.
 *
 * @param cause the failure as reported, to tell whether it is still the attempt's or job's cause
 * @param step the full name of the step; null if the failure came from outside any step (the
 *     exchange, a lost worker)
 * @param worker the worker's name; null if the subtask had no placement
 */
record FailureOrigin(
    Throwable cause, int stage, int subtask, @Nullable String step, @Nullable String worker) {}
