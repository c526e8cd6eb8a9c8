package dev.weir.validatesrunner;

/**
 * One {@code <testcase>} of a Surefire XML report: one run of a test.
 *
 * @param message the first line of the failure (or skip) message, empty if none
 */
public record TestRun(TestId id, Outcome outcome, String message, double seconds) {}
