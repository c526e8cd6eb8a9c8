package dev.weir.validatesrunner;

import java.util.Objects;

/**
 * One test of the suite, counted once: a class and a method.
 *
 * <p>Surefire reports some tests more than once (a parameterized test once per parameter, a
 * nested class both through its {@code Enclosed} parent and on its own), so results are keyed
 * by this, with a parameter suffix such as {@code [0]} dropped from the method name.
 */
public record TestId(String className, String method) implements Comparable<TestId> {

  public TestId {
    Objects.requireNonNull(className, "className");
    Objects.requireNonNull(method, "method");
  }

  /** The id of a Surefire test case, dropping a JUnit parameter suffix like {@code [3]}. */
  public static TestId ofReported(String className, String reportedMethod) {
    String method = reportedMethod;
    int bracket = method.indexOf('[');
    if (bracket > 0) {
      method = method.substring(0, bracket);
    }
    return new TestId(className, method.strip());
  }

  /** Parses {@code fully.qualified.Class#method}. */
  public static TestId parse(String text) {
    int hash = text.indexOf('#');
    if (hash <= 0 || hash == text.length() - 1) {
      throw new IllegalArgumentException("expected Class#method, got: " + text);
    }
    return new TestId(text.substring(0, hash).strip(), text.substring(hash + 1).strip());
  }

  /** The class name without its package, nested classes kept ({@code ParDoTest$TimerTests}). */
  public String simpleClassName() {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  @Override
  public int compareTo(TestId other) {
    int byClass = className.compareTo(other.className);
    return byClass != 0 ? byClass : method.compareTo(other.method);
  }

  @Override
  public String toString() {
    return className + "#" + method;
  }
}
