package dev.weir.validatesrunner;

/** How a test ended. Surefire's "error" (an unexpected exception) counts as a failure. */
public enum Outcome {
  PASSED,
  FAILED,
  SKIPPED;

  /**
   * The outcome of a test that ran several times: failed if any run failed, passed if any
   * passed and none failed, skipped only if every run was skipped.
   */
  public Outcome combine(Outcome other) {
    if (this == FAILED || other == FAILED) {
      return FAILED;
    }
    if (this == PASSED || other == PASSED) {
      return PASSED;
    }
    return SKIPPED;
  }
}
