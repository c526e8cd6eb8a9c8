package dev.weir.web;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text format 0.0.4 for tests: it throws at the first thing a
 * scraper could read differently. Every line ends in a newline; only {@code # HELP} and {@code #
 * TYPE} comments, each at most once per family and before its samples; a family's samples are
 * contiguous and named as its type allows ({@code _sum} and {@code _count} for a summary); metric
 * and label names match the format's patterns; label values use only the three escapes; no label
 * twice in a sample; no series twice; values are numbers, {@code NaN} or {@code ±Inf}; and (Weir's
 * own rules) every name starts with {@code weir_} and a counter's ends in {@code _total}.
 */
public final class StrictPrometheusParser {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "summary", "histogram", "untyped");

  /** One sample. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  /** What a scrape held: each family's type and the samples in order. */
  public record Exposition(Map<String, String> types, List<Sample> samples) {
    /** The samples named {@code name} whose labels include all of {@code labels}. */
    public List<Sample> find(String name, Map<String, String> labels) {
      List<Sample> found = new ArrayList<>();
      for (Sample s : samples) {
        if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) {
          found.add(s);
        }
      }
      return found;
    }
  }

  private StrictPrometheusParser() {}

  public static Exposition parse(String text) {
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("the last line does not end in a newline");
    }
    Map<String, String> types = new LinkedHashMap<>();
    Set<String> helped = new HashSet<>();
    Set<String> closedFamilies = new HashSet<>();
    Set<String> series = new HashSet<>();
    List<Sample> samples = new ArrayList<>();
    String currentFamily = null;
    int lineNo = 0;
    String[] lines = text.split("\n", -1);
    // The text ends in a newline, so the last element is the empty rest after it.
    for (int n = 0; n < lines.length - 1; n++) {
      String line = lines[n];
      lineNo++;
      String where = "line " + lineNo + " '" + line + "': ";
      if (line.isEmpty()) {
        throw new IllegalArgumentException(where + "empty line");
      }
      if (line.startsWith("#")) {
        String[] parts = line.split(" ", 4);
        if (parts.length < 3 || !parts[0].equals("#")) {
          throw new IllegalArgumentException(where + "a comment other than HELP or TYPE");
        }
        String family = parts[2];
        checkName(family, where);
        if (closedFamilies.contains(family) || (samplesOf(samples, family) && !family.equals(currentFamily))) {
          throw new IllegalArgumentException(where + "metadata after the family's samples");
        }
        if (parts[1].equals("HELP")) {
          if (!helped.add(family)) {
            throw new IllegalArgumentException(where + "second HELP");
          }
          String help = parts.length == 4 ? parts[3] : "";
          checkEscapes(help, false, where);
        } else if (parts[1].equals("TYPE")) {
          if (parts.length != 4 || !TYPES.contains(parts[3])) {
            throw new IllegalArgumentException(where + "unknown type");
          }
          if (types.containsKey(family)) {
            throw new IllegalArgumentException(where + "second TYPE");
          }
          if (samplesOf(samples, family)) {
            throw new IllegalArgumentException(where + "TYPE after samples");
          }
          if (parts[3].equals("counter") && !family.endsWith("_total")) {
            throw new IllegalArgumentException(where + "a counter not named _total");
          }
          types.put(family, parts[3]);
        } else {
          throw new IllegalArgumentException(where + "a comment other than HELP or TYPE");
        }
        if (currentFamily != null && !currentFamily.equals(family)) {
          closedFamilies.add(currentFamily);
        }
        currentFamily = family;
        continue;
      }
      Sample sample = sample(line, where);
      String family = familyOf(sample.name(), types);
      if (!family.startsWith("weir_")) {
        throw new IllegalArgumentException(where + "not a weir_ name");
      }
      if (closedFamilies.contains(family)) {
        throw new IllegalArgumentException(where + "samples of family " + family + " are not together");
      }
      if (currentFamily != null && !currentFamily.equals(family)) {
        closedFamilies.add(currentFamily);
      }
      currentFamily = family;
      String type = types.getOrDefault(family, "untyped");
      boolean nameFits =
          switch (type) {
            case "summary" -> sample.name().equals(family)
                || sample.name().equals(family + "_sum")
                || sample.name().equals(family + "_count");
            case "histogram" -> sample.name().equals(family + "_bucket")
                || sample.name().equals(family + "_sum")
                || sample.name().equals(family + "_count");
            default -> sample.name().equals(family);
          };
      if (!nameFits) {
        throw new IllegalArgumentException(where + "sample name does not fit type " + type);
      }
      if (!series.add(sample.name() + new java.util.TreeMap<>(sample.labels()))) {
        throw new IllegalArgumentException(where + "series repeated");
      }
      samples.add(sample);
    }
    return new Exposition(types, samples);
  }

  private static boolean samplesOf(List<Sample> samples, String family) {
    for (Sample s : samples) {
      if (s.name().equals(family) || s.name().startsWith(family + "_")) {
        return true;
      }
    }
    return false;
  }

  private static String familyOf(String sampleName, Map<String, String> types) {
    if (types.containsKey(sampleName)) {
      return sampleName;
    }
    for (String suffix : new String[] {"_sum", "_count", "_bucket"}) {
      if (sampleName.endsWith(suffix)) {
        String base = sampleName.substring(0, sampleName.length() - suffix.length());
        String type = types.get(base);
        if ("summary".equals(type) || "histogram".equals(type)) {
          return base;
        }
      }
    }
    return sampleName;
  }

  private static Sample sample(String line, String where) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    checkName(name, where);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (true) {
        if (i >= line.length()) {
          throw new IllegalArgumentException(where + "unterminated labels");
        }
        if (line.charAt(i) == '}') {
          i++;
          break;
        }
        int eq = line.indexOf('=', i);
        if (eq < 0) {
          throw new IllegalArgumentException(where + "label without =");
        }
        String label = line.substring(i, eq);
        if (!LABEL.matcher(label).matches() || label.startsWith("__")) {
          throw new IllegalArgumentException(where + "bad label name '" + label + "'");
        }
        if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
          throw new IllegalArgumentException(where + "label value not quoted");
        }
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        while (true) {
          if (j >= line.length()) {
            throw new IllegalArgumentException(where + "unterminated label value");
          }
          char c = line.charAt(j);
          if (c == '"') {
            break;
          }
          if (c == '\\') {
            char next = j + 1 < line.length() ? line.charAt(j + 1) : 0;
            switch (next) {
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              case 'n' -> value.append('\n');
              default -> throw new IllegalArgumentException(where + "bad escape in label value");
            }
            j += 2;
          } else {
            value.append(c);
            j++;
          }
        }
        if (labels.put(label, value.toString()) != null) {
          throw new IllegalArgumentException(where + "label " + label + " twice");
        }
        i = j + 1;
        if (i < line.length() && line.charAt(i) == ',') {
          i++;
        } else if (i >= line.length() || line.charAt(i) != '}') {
          throw new IllegalArgumentException(where + "expected , or } after a label");
        }
      }
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw new IllegalArgumentException(where + "no space before the value");
    }
    String[] rest = line.substring(i + 1).split(" ", -1);
    if (rest.length < 1 || rest.length > 2) {
      throw new IllegalArgumentException(where + "expected value [timestamp]");
    }
    double value = number(rest[0], where);
    if (rest.length == 2 && !rest[1].matches("-?[0-9]+")) {
      throw new IllegalArgumentException(where + "bad timestamp");
    }
    return new Sample(name, labels, value);
  }

  private static double number(String text, String where) {
    switch (text) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        if (!text.matches("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
          throw new IllegalArgumentException(where + "not a number: '" + text + "'");
        }
        return Double.parseDouble(text);
    }
  }

  private static void checkName(String name, String where) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(where + "bad metric name '" + name + "'");
    }
  }

  private static void checkEscapes(String help, boolean quotes, String where) {
    for (int i = 0; i < help.length(); i++) {
      if (help.charAt(i) == '\\') {
        char next = i + 1 < help.length() ? help.charAt(i + 1) : 0;
        if (next != '\\' && next != 'n') {
          throw new IllegalArgumentException(where + "bad escape in HELP");
        }
        i++;
      }
    }
  }

  public static Map<String, String> labels(String... keyValues) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return m;
  }
}
