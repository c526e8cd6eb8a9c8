package dev.weir.validatesrunner;

import java.util.Optional;

/**
 * Whether the suite was skipped, from the Maven properties that skip it ({@code weir.vr.skip},
 * {@code skipTests}, {@code maven.test.skip}). A skipped suite is neither reported nor judged:
 * a report of "0 of 0 tests" after {@code mvn install -DskipTests} says nothing true.
 */
public final class SuiteSkip {

  private SuiteSkip() {}

  /**
   * The first property set to {@code true} in {@code flags}, a comma-separated list of
   * {@code name=value}. Maven passes an undefined property on as {@code ${name}}, which is not
   * set; {@code -DskipTests} without a value arrives as {@code true}.
   */
  public static Optional<String> firstSet(String flags) {
    for (String flag : flags.split(",")) {
      int eq = flag.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      if (flag.substring(eq + 1).strip().equalsIgnoreCase("true")) {
        return Optional.of(flag.substring(0, eq).strip());
      }
    }
    return Optional.empty();
  }
}
