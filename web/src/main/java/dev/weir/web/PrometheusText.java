package dev.weir.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Prometheus' text exposition format 0.0.4: each family once, its {@code # HELP} and {@code #
 * TYPE} lines and then all its samples, label values escaped. Names and label names are checked
 * here, so a bad one fails in Weir's tests rather than in a scraper.
 */
final class PrometheusText {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** The types this writer uses. */
  enum Type {
    COUNTER,
    GAUGE,
    SUMMARY
  }

  private record Sample(String name, Map<String, String> labels, String value) {}

  private record Family(String help, Type type, List<Sample> samples) {}

  private final Map<String, Family> families = new LinkedHashMap<>();

  /** Declares family {@code name}; a family declared twice keeps its first help and type. */
  PrometheusText family(String name, Type type, String help) {
    check(name, NAME, "metric name");
    if (type == Type.COUNTER && !name.endsWith("_total")) {
      throw new IllegalArgumentException("a counter's name ends in _total: " + name);
    }
    families.putIfAbsent(name, new Family(help, type, new ArrayList<>()));
    return this;
  }

  /** A sample of family {@code family} (for a summary: its name with {@code _sum}/{@code _count}). */
  PrometheusText sample(String family, String sampleName, Map<String, String> labels, long value) {
    return add(family, sampleName, labels, Long.toString(value));
  }

  PrometheusText sample(String family, Map<String, String> labels, long value) {
    return sample(family, family, labels, value);
  }

  PrometheusText sample(String family, Map<String, String> labels, double value) {
    String text =
        Double.isNaN(value)
            ? "NaN"
            : Double.isInfinite(value) ? (value > 0 ? "+Inf" : "-Inf") : Double.toString(value);
    return add(family, family, labels, text);
  }

  private PrometheusText add(
      String family, String sampleName, Map<String, String> labels, String value) {
    Family f = families.get(family);
    if (f == null) {
      throw new IllegalArgumentException("family " + family + " was not declared");
    }
    if (!sampleName.startsWith(family)) {
      throw new IllegalArgumentException(sampleName + " is not a sample of " + family);
    }
    for (String label : labels.keySet()) {
      check(label, LABEL, "label name");
    }
    f.samples().add(new Sample(sampleName, new LinkedHashMap<>(labels), value));
    return this;
  }

  private static void check(String name, Pattern pattern, String what) {
    if (!pattern.matcher(name).matches() || name.startsWith("__")) {
      throw new IllegalArgumentException("not a Prometheus " + what + ": " + name);
    }
  }

  /** The text; families without samples are left out. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Family> e : families.entrySet()) {
      Family f = e.getValue();
      if (f.samples().isEmpty()) {
        continue;
      }
      out.append("# HELP ").append(e.getKey()).append(' ').append(escapeHelp(f.help())).append('\n');
      out.append("# TYPE ")
          .append(e.getKey())
          .append(' ')
          .append(f.type().name().toLowerCase(java.util.Locale.ROOT))
          .append('\n');
      for (Sample s : f.samples()) {
        out.append(s.name());
        if (!s.labels().isEmpty()) {
          out.append('{');
          boolean first = true;
          for (Map.Entry<String, String> label : s.labels().entrySet()) {
            if (!first) {
              out.append(',');
            }
            first = false;
            out.append(label.getKey()).append("=\"").append(escapeLabel(label.getValue())).append('"');
          }
          out.append('}');
        }
        out.append(' ').append(s.value()).append('\n');
      }
    }
    return out.toString();
  }

  private static String escapeHelp(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n");
  }

  static String escapeLabel(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
