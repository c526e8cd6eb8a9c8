package dev.weir.examples;

import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.joda.time.Duration;

/**
 * Writes an example's output lines under a prefix. A bounded collection is written once, as
 * {@code <prefix>-SSSSS-of-NNNNN}. An unbounded one never ends, so it is cut into event-time
 * windows of {@code window} and each window's lines go to files of their own as the watermark
 * passes it, named {@code <prefix>-<start>-<end>-pane-<index>[-last]-SSSSS-of-NNNNN}; lines that
 * come later (late panes upstream) go to further pane files of the same window, up to {@code
 * allowedLateness}.
 */
public final class WriteLines extends PTransform<PCollection<String>, PDone> {
  private final String prefix;
  private final Duration window;
  private final Duration allowedLateness;

  private WriteLines(String prefix, Duration window, Duration allowedLateness) {
    this.prefix = prefix;
    this.window = window;
    this.allowedLateness = allowedLateness;
  }

  /** Writes to {@code prefix}; {@code window} and {@code allowedLateness} for unbounded input. */
  public static WriteLines to(String prefix, Duration window, Duration allowedLateness) {
    return new WriteLines(prefix, window, allowedLateness);
  }

  @Override
  public PDone expand(PCollection<String> lines) {
    if (lines.isBounded() == PCollection.IsBounded.BOUNDED) {
      return lines.apply("Write", TextIO.write().to(prefix));
    }
    return lines
        .apply(
            "OutputWindows",
            Window.<String>into(FixedWindows.of(window))
                .triggering(
                    AfterWatermark.pastEndOfWindow()
                        .withLateFirings(AfterPane.elementCountAtLeast(1)))
                .withAllowedLateness(allowedLateness)
                .discardingFiredPanes())
        .apply(
            "WriteWindows",
            TextIO.write().to(prefix + "-").withWindowedWrites().withNumShards(1));
  }
}
