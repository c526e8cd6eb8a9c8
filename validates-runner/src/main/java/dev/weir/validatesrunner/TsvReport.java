package dev.weir.validatesrunner;

import java.util.Collection;

/**
 * Writes one row per distinct test, for scripts and for diffing two runs (e.g. Weir against
 * the DirectRunner): {@code class, method, outcome, runs, group, input, categories, message}.
 */
public final class TsvReport {

  private TsvReport() {}

  public static String render(Collection<TestResult> results) {
    StringBuilder out = new StringBuilder();
    out.append("class\tmethod\toutcome\truns\tgroup\tinput\tcategories\tmessage\n");
    results.stream()
        .sorted((a, b) -> a.id().compareTo(b.id()))
        .forEach(
            r ->
                out.append(r.id().className()).append('\t')
                    .append(r.id().method()).append('\t')
                    .append(r.outcome()).append('\t')
                    .append(r.runs()).append('\t')
                    .append(r.validatesRunner() ? "ValidatesRunner" : "NeedsRunner").append('\t')
                    .append(r.unbounded() ? "unbounded" : "bounded").append('\t')
                    .append(String.join(",", TestResult.sortedCategories(r))).append('\t')
                    .append(clean(r.message())).append('\n'));
    return out.toString();
  }

  private static String clean(String text) {
    return text.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
  }
}
