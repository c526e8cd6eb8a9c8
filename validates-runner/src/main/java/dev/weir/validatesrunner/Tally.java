package dev.weir.validatesrunner;

/** Counts distinct tests by outcome. */
public final class Tally {
  private int passed;
  private int failed;
  private int skipped;

  public void add(Outcome outcome) {
    switch (outcome) {
      case PASSED -> passed++;
      case FAILED -> failed++;
      case SKIPPED -> skipped++;
    }
  }

  public int passed() {
    return passed;
  }

  public int failed() {
    return failed;
  }

  public int skipped() {
    return skipped;
  }

  public int total() {
    return passed + failed + skipped;
  }

  /** Passed share of the tests that ran to a verdict (skips excluded), as "97.5%". */
  public String passRate() {
    int decided = passed + failed;
    return decided == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f%%", 100.0 * passed / decided);
  }
}
