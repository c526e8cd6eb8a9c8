package dev.weir.examples;

import org.joda.time.Instant;

/**
 * The events of the examples are CSV lines whose first field is the event time, an ISO-8601
 * instant such as {@code 2026-03-02T09:00:05Z}; the other fields depend on the example. Every
 * source (bundled file, generator, and any added later) yields such lines, stamped with that time.
 */
final class EventLine {
  private EventLine() {}

  /** The fields of {@code line}, split at commas and trimmed. */
  static String[] fields(String line) {
    String[] fields = line.split(",", -1);
    for (int i = 0; i < fields.length; i++) {
      fields[i] = fields[i].trim();
    }
    return fields;
  }

  /** The event time of {@code line}, its first field. */
  static Instant timestamp(String line) {
    int comma = line.indexOf(',');
    String first = comma < 0 ? line : line.substring(0, comma);
    try {
      return Instant.parse(first.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "An event line starts with an ISO-8601 instant, not: " + line, e);
    }
  }

  /** Whether {@code line} carries no event: blank, or a {@code #} comment. */
  static boolean isComment(String line) {
    String trimmed = line.trim();
    return trimmed.isEmpty() || trimmed.startsWith("#");
  }
}
