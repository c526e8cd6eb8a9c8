package dev.weir.examples;

import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Splits a line of text into lower-case words. A word is a run of letters, digits and apostrophes;
 * everything else separates words. Counts empty lines in the {@code emptyLines} metric.
 */
final class ExtractWordsFn extends DoFn<String, String> {
  private static final Pattern SEPARATORS = Pattern.compile("[^\\p{L}\\p{N}']+");

  private final Counter emptyLines = Metrics.counter(ExtractWordsFn.class, "emptyLines");

  @ProcessElement
  public void processElement(@Element String line, OutputReceiver<String> out) {
    if (line.isBlank()) {
      emptyLines.inc();
      return;
    }
    for (String token : SEPARATORS.split(line)) {
      String word = trimApostrophes(token);
      if (!word.isEmpty()) {
        out.output(word.toLowerCase(Locale.ROOT));
      }
    }
  }

  /** Drops apostrophes at either end of a token (quote marks); inner ones, as in {@code don't}, stay. */
  private static String trimApostrophes(String token) {
    int start = 0;
    int end = token.length();
    while (start < end && token.charAt(start) == '\'') {
      start++;
    }
    while (end > start && token.charAt(end - 1) == '\'') {
      end--;
    }
    return token.substring(start, end);
  }
}
