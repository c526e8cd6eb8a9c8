package dev.weir.examples;

import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Session analytics: activity lines {@code time,user,action} in; out, per session of a user
 * (activity with gaps shorter than {@code gap}), lines {@code user,start,end,events,timing}, where
 * {@code end} is the last event's time plus {@code gap} and {@code timing} is the pane's ({@code
 * ON_TIME}, {@code LATE}).
 *
 * <p>A session is reported when the watermark passes its end. Events up to {@code allowedLateness}
 * behind the watermark still count: each fires the session again with everything it holds so far
 * (accumulating panes), so a late event can lengthen a session, add to its count, or join two
 * reported sessions into one. Later events are dropped.
 */
public final class SummarizeSessions
    extends PTransform<PCollection<String>, PCollection<String>> {
  private final Duration gap;
  private final Duration allowedLateness;

  public SummarizeSessions(Duration gap, Duration allowedLateness) {
    this.gap = gap;
    this.allowedLateness = allowedLateness;
  }

  @Override
  public PCollection<String> expand(PCollection<String> activity) {
    return activity
        .apply(
            "User",
            MapElements.into(TypeDescriptors.strings())
                .via((String line) -> EventLine.fields(line)[1]))
        .apply(
            "Sessions",
            Window.<String>into(Sessions.withGapDuration(gap))
                .triggering(
                    AfterWatermark.pastEndOfWindow()
                        .withLateFirings(AfterPane.elementCountAtLeast(1)))
                .withAllowedLateness(allowedLateness)
                .accumulatingFiredPanes())
        .apply("EventsPerSession", Count.perElement())
        .apply("Format", ParDo.of(new FormatFn()));
  }

  private static final class FormatFn extends DoFn<KV<String, Long>, String> {
    @ProcessElement
    public void process(
        @Element KV<String, Long> session,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<String> out) {
      IntervalWindow interval = (IntervalWindow) window;
      out.output(
          String.join(
              ",",
              session.getKey(),
              interval.start().toString(),
              interval.end().toString(),
              Long.toString(session.getValue()),
              pane.getTiming().toString()));
    }
  }
}
