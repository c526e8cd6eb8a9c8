package dev.weir.examples;

import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.values.PCollection;

/**
 * Event lines read from a file (stamped with the minimum timestamp) in, the same lines stamped
 * with their event time ({@link EventLine#timestamp}) out; blank and {@code #} lines dropped.
 */
public final class StampEventTimes extends PTransform<PCollection<String>, PCollection<String>> {

  @Override
  public PCollection<String> expand(PCollection<String> lines) {
    return lines
        .apply("DropComments", Filter.by((String line) -> !EventLine.isComment(line)))
        .apply("EventTime", WithTimestamps.of(EventLine::timestamp));
  }
}
