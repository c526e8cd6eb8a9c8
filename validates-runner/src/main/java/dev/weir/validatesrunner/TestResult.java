package dev.weir.validatesrunner;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A distinct test's result over all its runs, with the categories it declares.
 *
 * @param runs how many times Surefire ran it
 * @param message first line of the first failure, else of the first skip, else empty
 * @param categories simple names of the declared {@code @Category} classes
 * @param unbounded whether the test reads unbounded input (TestStream, unbounded PCollection or
 *     SDF), the part of the suite a batch-only engine cannot pass
 * @param validatesRunner whether the test is in the ValidatesRunner group (the part of the
 *     NeedsRunner group that every runner is expected to pass), not only in NeedsRunner
 */
public record TestResult(
    TestId id,
    Outcome outcome,
    int runs,
    String message,
    double seconds,
    Set<String> categories,
    boolean unbounded,
    boolean validatesRunner) {

  /** Folds runs into one result per {@link TestId}, in the order they were first seen. */
  public static Map<TestId, TestResult> combine(
      Collection<TestRun> runs, CategoryResolver categories) {
    Map<TestId, TestResult> byId = new LinkedHashMap<>();
    for (TestRun run : runs) {
      TestResult previous = byId.get(run.id());
      if (previous == null) {
        byId.put(
            run.id(),
            new TestResult(
                run.id(),
                run.outcome(),
                1,
                run.message(),
                run.seconds(),
                categories.declaredCategories(run.id()),
                categories.usesUnboundedInput(run.id()),
                categories.isValidatesRunner(run.id())));
      } else {
        byId.put(run.id(), previous.with(run));
      }
    }
    return byId;
  }

  private TestResult with(TestRun run) {
    Outcome combined = outcome.combine(run.outcome());
    String combinedMessage = message;
    // Keep the message that explains the combined outcome: a failure's over a skip's.
    if (run.outcome() == Outcome.FAILED && outcome != Outcome.FAILED) {
      combinedMessage = run.message();
    } else if (combinedMessage.isEmpty()) {
      combinedMessage = run.message();
    }
    return new TestResult(
        id,
        combined,
        runs + 1,
        combinedMessage,
        seconds + run.seconds(),
        categories,
        unbounded,
        validatesRunner);
  }

  /** This result with its message prefixed, e.g. to say it was stopped by the watchdog. */
  public TestResult withMessagePrefix(String prefix) {
    return new TestResult(
        id, outcome, runs, prefix + message, seconds, categories, unbounded, validatesRunner);
  }

  static List<String> sortedCategories(TestResult result) {
    return result.categories().stream().sorted().toList();
  }
}
