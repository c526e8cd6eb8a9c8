package dev.weir.examples;


import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * The session example's panes, on Weir and, to check the expectations themselves, on Beam's
 * DirectRunner.
 */
@RunWith(Parameterized.class)
public class SummarizeSessionsTest {
  @Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return List.of(new Object[] {"TestWeirRunner"}, new Object[] {"DirectRunner"});
  }

  @Rule public final transient TestPipeline pipeline;

  private final String runner;

  public SummarizeSessionsTest(String runner) {
    this.runner = runner;
    this.pipeline =
        TestPipeline.fromOptions(PipelineOptionsFactory.fromArgs("--runner=" + runner).create());
  }

  private static TimestampedValue<String> event(String time, String user) {
    Instant at = Instant.parse("2026-03-02T" + time + "Z");
    return TimestampedValue.of(at + "," + user + ",view", at);
  }

  private static Instant at(String time) {
    return Instant.parse("2026-03-02T" + time + "Z");
  }

  @Test
  public void aLateEventInsideAReportedSessionFiresItAgainWithTheNewCount() {
    // Gap 10 min, allowed lateness 30 min.
    TestStream<String> activity =
        TestStream.create(StringUtf8Coder.of())
            .advanceWatermarkTo(at("09:00:00"))
            .addElements(event("09:00:00", "alice"), event("09:08:00", "alice"))
            // Past the end of alice's [09:00, 09:18): reported on time with 2 events.
            .advanceWatermarkTo(at("09:20:00"))
            // Late (its own [09:05, 09:15) ended before 09:20) but within the lateness; it lies
            // inside [09:00, 09:18), which fires again with all 3 events (accumulating).
            .addElements(event("09:05:00", "alice"))
            .advanceWatermarkToInfinity();

    PCollection<String> sessions =
        pipeline
            .apply(activity)
            .apply(
                new SummarizeSessions(Duration.standardMinutes(10), Duration.standardMinutes(30)));

    IntervalWindow session = new IntervalWindow(at("09:00:00"), at("09:18:00"));
    String onTime = "alice,2026-03-02T09:00:00.000Z,2026-03-02T09:18:00.000Z,2,ON_TIME";
    String late = "alice,2026-03-02T09:00:00.000Z,2026-03-02T09:18:00.000Z,3,LATE";
    PAssert.that(sessions).inOnTimePane(session).containsInAnyOrder(onTime);
    PAssert.that(sessions).inLatePane(session).containsInAnyOrder(late);
    PAssert.that(sessions).containsInAnyOrder(onTime, late);
    pipeline.run();
  }

  @Test
  public void aLateEventJoinsTwoReportedSessionsAndOneTooLateIsDropped() {
    // Gap 10 min, allowed lateness 30 min.
    TestStream<String> activity =
        TestStream.create(StringUtf8Coder.of())
            .advanceWatermarkTo(at("09:00:00"))
            .addElements(
                event("09:00:00", "alice"),
                event("09:04:00", "alice"),
                event("09:20:00", "alice"),
                event("09:02:00", "bob"))
            // Past the ends of alice's [09:00, 09:14) and [09:20, 09:30) and bob's [09:02, 09:12):
            // each is reported once, on time.
            .advanceWatermarkTo(at("09:35:00"))
            // Late (its session [09:12, 09:22) ended before 09:35) but within the lateness (it
            // expires at 09:52), and it overlaps both of alice's sessions, still kept (the first
            // until 09:14 + 30 min = 09:44): they merge into [09:00, 09:30) holding 4 events.
            .addElements(event("09:12:00", "alice"))
            .advanceWatermarkTo(at("11:00:00"))
            // bob's [09:06, 09:16) expired at 09:46: dropped, bob's result stays as it was.
            .addElements(event("09:06:00", "bob"))
            .advanceWatermarkToInfinity();

    PCollection<String> sessions =
        pipeline
            .apply(activity)
            .apply(
                new SummarizeSessions(Duration.standardMinutes(10), Duration.standardMinutes(30)));

    String aliceFirst = "alice,2026-03-02T09:00:00.000Z,2026-03-02T09:14:00.000Z,2,ON_TIME";
    String aliceSecond = "alice,2026-03-02T09:20:00.000Z,2026-03-02T09:30:00.000Z,1,ON_TIME";
    String bob = "bob,2026-03-02T09:02:00.000Z,2026-03-02T09:12:00.000Z,1,ON_TIME";
    String aliceJoined = "alice,2026-03-02T09:00:00.000Z,2026-03-02T09:30:00.000Z,4,LATE";
    PAssert.that(sessions)
        .inOnTimePane(new IntervalWindow(at("09:00:00"), at("09:14:00")))
        .containsInAnyOrder(aliceFirst);
    PAssert.that(sessions)
        .inOnTimePane(new IntervalWindow(at("09:20:00"), at("09:30:00")))
        .containsInAnyOrder(aliceSecond);
    PAssert.that(sessions)
        .inLatePane(new IntervalWindow(at("09:00:00"), at("09:30:00")))
        .containsInAnyOrder(aliceJoined);
    // Every pane of every session: nothing else, in particular no pane for bob's dropped event.
    PAssert.that(sessions).containsInAnyOrder(aliceFirst, aliceSecond, bob, aliceJoined);
    pipeline.run();
  }
}
