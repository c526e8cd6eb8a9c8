package dev.weir.runner;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

public class TestStreamOnWeirTest {

  private static Pipeline pipeline() {
    return Pipeline.create(
        PipelineOptionsFactory.fromArgs("--runner=TestWeirRunner").create());
  }

  @Test
  public void earlyProcessingTimeFiringThenOnTimePaneThenLateDataDropped() {
    Pipeline p = pipeline();
    TestStream<String> events =
        TestStream.create(StringUtf8Coder.of())
            .addElements(
                TimestampedValue.of("a", new Instant(1)), TimestampedValue.of("a", new Instant(2)))
            .advanceProcessingTime(Duration.standardMinutes(5))
            .addElements(TimestampedValue.of("a", new Instant(3)))
            .advanceWatermarkTo(new Instant(20_000))
            .addElements(TimestampedValue.of("a", new Instant(4)))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Long>> counts =
        p.apply(events)
            .apply(
                Window.<String>into(FixedWindows.of(Duration.standardSeconds(10)))
                    .triggering(
                        AfterWatermark.pastEndOfWindow()
                            .withEarlyFirings(
                                AfterProcessingTime.pastFirstElementInPane()
                                    .plusDelayOf(Duration.standardMinutes(1))))
                    .withAllowedLateness(Duration.ZERO)
                    .accumulatingFiredPanes())
            .apply(Count.perElement());
    IntervalWindow window = new IntervalWindow(new Instant(0), new Instant(10_000));
    PAssert.that(counts).inEarlyPane(window).containsInAnyOrder(KV.of("a", 2L));
    PAssert.that(counts).inOnTimePane(window).containsInAnyOrder(KV.of("a", 3L));
    p.run();
  }

  @Test
  public void elementCountTriggerFiresPerPaneInOrder() {
    Pipeline p = pipeline();
    TestStream<String> events =
        TestStream.create(StringUtf8Coder.of())
            .addElements("x", "x")
            .advanceWatermarkTo(new Instant(0))
            .addElements("x")
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Long>> counts =
        p.apply(events)
            .apply(
                Window.<String>configure()
                    .triggering(
                        org.apache.beam.sdk.transforms.windowing.Repeatedly.forever(
                            AfterPane.elementCountAtLeast(2)))
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes())
            .apply(Count.perElement());
    PAssert.that(counts).containsInAnyOrder(KV.of("x", 2L), KV.of("x", 1L));
    p.run();
  }
}
