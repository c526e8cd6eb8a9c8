package dev.weir.runner;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameter;
import org.junit.runners.Parameterized.Parameters;

/**
 * Per-team score sums over 20-minute windows with early (processing time), on-time and late
 * (processing time) firings and an hour of allowed lateness, fed by a TestStream: the panes a
 * streaming game leaderboard depends on. Each scenario runs on the DirectRunner too, which shows
 * the expected panes are Beam's, and on Weir with both state backends.
 */
@RunWith(Parameterized.class)
public class TeamScorePanesTest {
  private static final Duration WINDOW = Duration.standardMinutes(20);
  private static final Duration LATENESS = Duration.standardHours(1);
  private static final Instant START = Instant.parse("2026-03-01T09:00:00Z");
  private static final IntervalWindow FIRST_WINDOW = new IntervalWindow(START, WINDOW);

  @Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Arrays.asList(
        new Object[] {"direct", new String[] {"--runner=DirectRunner"}},
        new Object[] {
          "weir-memory", new String[] {"--runner=TestWeirRunner", "--stateBackend=memory"}
        },
        new Object[] {
          "weir-rocksdb", new String[] {"--runner=TestWeirRunner", "--stateBackend=rocksdb"}
        });
  }

  @Parameter(0)
  public String name;

  @Parameter(1)
  public String[] args;

  private Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs(args).create());
  }

  /** A player of a team scores some points at some minute (or second) after {@link #START}. */
  private static TimestampedValue<String> score(
      String player, String team, int points, Duration after) {
    return TimestampedValue.of(player + "," + team + "," + points, START.plus(after));
  }

  private static Duration min(long minutes) {
    return Duration.standardMinutes(minutes);
  }

  /** "player,team,points" to (team, points). */
  private static class TeamPoints extends SimpleFunction<String, KV<String, Integer>> {
    @Override
    public KV<String, Integer> apply(String event) {
      String[] parts = event.split(",");
      return KV.of(parts[1], Integer.parseInt(parts[2]));
    }
  }

  /** Sums a grouped team's points, for the variant that groups with a plain GroupByKey. */
  private static class SumGrouped
      extends SimpleFunction<KV<String, Iterable<Integer>>, KV<String, Integer>> {
    @Override
    public KV<String, Integer> apply(KV<String, Iterable<Integer>> team) {
      int sum = 0;
      for (int points : team.getValue()) {
        sum += points;
      }
      return KV.of(team.getKey(), sum);
    }
  }

  /** How a team's points are summed after windowing. */
  private enum Summing {
    COMBINE,
    GROUP_BY_KEY
  }

  /** The leaderboard's team scores: fixed windows, early/on-time/late firings, accumulating. */
  private static class TeamScores
      extends PTransform<PCollection<String>, PCollection<KV<String, Integer>>> {
    private final Summing summing;

    TeamScores(Summing summing) {
      this.summing = summing;
    }

    @Override
    public PCollection<KV<String, Integer>> expand(PCollection<String> events) {
      PCollection<KV<String, Integer>> windowed =
          events
              .apply("TeamPoints", MapElements.via(new TeamPoints()))
              .apply(
                  Window.<KV<String, Integer>>into(FixedWindows.of(WINDOW))
                      .triggering(
                          AfterWatermark.pastEndOfWindow()
                              .withEarlyFirings(
                                  AfterProcessingTime.pastFirstElementInPane()
                                      .plusDelayOf(min(5)))
                              .withLateFirings(
                                  AfterProcessingTime.pastFirstElementInPane()
                                      .plusDelayOf(min(10))))
                      .withAllowedLateness(LATENESS)
                      .accumulatingFiredPanes());
      if (summing == Summing.COMBINE) {
        return windowed.apply(Sum.integersPerKey());
      }
      return windowed
          .apply(GroupByKey.create())
          .apply("SumGrouped", MapElements.via(new SumGrouped()));
    }
  }

  private static TestStream.Builder<String> events() {
    return TestStream.create(StringUtf8Coder.of());
  }

  private TestStream<String> allOnTime() {
    return events()
        .advanceWatermarkTo(START)
        .addElements(
            score("ann", "amber", 4, Duration.standardSeconds(10)),
            score("tom", "teal", 1, min(2)),
            score("tom", "teal", 6, min(5)),
            score("al", "amber", 2, min(7)))
        .advanceWatermarkTo(START.plus(min(6)))
        .addElements(score("tia", "teal", 3, min(9)), score("ann", "amber", 5, min(15)))
        .advanceWatermarkToInfinity();
  }

  private void assertAllOnTime(Summing summing) {
    Pipeline p = pipeline();
    PCollection<KV<String, Integer>> scores = p.apply(allOnTime()).apply(new TeamScores(summing));
    PAssert.that(scores)
        .inOnTimePane(FIRST_WINDOW)
        .containsInAnyOrder(KV.of("amber", 11), KV.of("teal", 10));
    PAssert.that(scores)
        .inWindow(FIRST_WINDOW)
        .containsInAnyOrder(KV.of("amber", 11), KV.of("teal", 10));
    p.run().waitUntilFinish();
  }

  @Test
  public void eventsBeforeTheWatermarkPassesTheWindowGiveOneOnTimePanePerTeam() {
    assertAllOnTime(Summing.COMBINE);
  }

  @Test
  public void groupByKeyGivesOneOnTimePanePerTeamForEventsOnTime() {
    assertAllOnTime(Summing.GROUP_BY_KEY);
  }

  /**
   * The on-time pane read as a map side input, as leaderboard tests check it: PAssert makes a map
   * view of a collection that keeps the leaderboard's trigger, so the view must show the pane
   * whole, never only its first team.
   */
  @Test
  public void onTimePaneReadAsAMapHoldsEveryTeam() {
    Pipeline p = pipeline();
    PCollection<KV<String, Integer>> scores =
        p.apply(allOnTime()).apply(new TeamScores(Summing.COMBINE));
    PAssert.thatMap(scores)
        .inOnTimePane(FIRST_WINDOW)
        .isEqualTo(Map.of("amber", 11, "teal", 10));
    p.run().waitUntilFinish();
  }

  @Test
  public void onTimePaneReadAsAMapHoldsEveryTeamWhenLateEventsFollow() {
    Pipeline p = pipeline();
    PCollection<KV<String, Integer>> scores =
        p.apply(lateWithinAllowedLateness()).apply(new TeamScores(Summing.GROUP_BY_KEY));
    PAssert.thatMap(scores)
        .inOnTimePane(FIRST_WINDOW)
        .isEqualTo(Map.of("amber", 5, "teal", 4));
    PAssert.thatMap(scores).inFinalPane(FIRST_WINDOW).isEqualTo(Map.of("amber", 15));
    p.run().waitUntilFinish();
  }

  @Test
  public void processingTimeAdvancesGiveEarlyPanesThenAnOnTimePaneWithEverything() {
    Pipeline p = pipeline();
    TestStream<String> stream =
        events()
            .advanceWatermarkTo(START)
            .addElements(score("ann", "amber", 4, min(1)), score("al", "amber", 3, min(3)))
            .advanceProcessingTime(min(6))
            .addElements(score("tom", "teal", 2, min(4)))
            .advanceProcessingTime(min(6))
            .addElements(score("ann", "amber", 1, min(8)), score("tia", "teal", 5, min(10)))
            .advanceProcessingTime(min(6))
            .addElements(score("al", "amber", 2, min(12)))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> scores =
        p.apply(stream).apply(new TeamScores(Summing.COMBINE));
    PAssert.that(scores)
        .inEarlyPane(FIRST_WINDOW)
        .containsInAnyOrder(
            KV.of("amber", 7), KV.of("teal", 2), KV.of("amber", 8), KV.of("teal", 7));
    PAssert.that(scores)
        .inOnTimePane(FIRST_WINDOW)
        .containsInAnyOrder(KV.of("amber", 10), KV.of("teal", 7));
    p.run().waitUntilFinish();
  }

  @Test
  public void eventsBehindTheWatermarkButInAnOpenWindowJoinTheOnTimePane() {
    Pipeline p = pipeline();
    TestStream<String> stream =
        events()
            .advanceWatermarkTo(START)
            .addElements(score("ann", "amber", 2, min(1)), score("tom", "teal", 4, min(3)))
            .advanceWatermarkTo(START.plus(min(15)))
            .addElements(
                score("al", "amber", 6, min(2)),
                score("tia", "teal", 1, min(5)),
                score("ann", "amber", 3, min(14)))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> scores =
        p.apply(stream).apply(new TeamScores(Summing.COMBINE));
    PAssert.that(scores)
        .inOnTimePane(FIRST_WINDOW)
        .containsInAnyOrder(KV.of("amber", 11), KV.of("teal", 5));
    PAssert.that(scores)
        .inWindow(FIRST_WINDOW)
        .containsInAnyOrder(KV.of("amber", 11), KV.of("teal", 5));
    p.run().waitUntilFinish();
  }

  private TestStream<String> lateWithinAllowedLateness() {
    return events()
        .advanceWatermarkTo(START)
        .addElements(score("ann", "amber", 2, min(1)), score("tom", "teal", 4, min(3)))
        .advanceProcessingTime(min(6))
        .addElements(score("al", "amber", 3, min(5)))
        .advanceWatermarkTo(START.plus(min(25)))
        .addElements(score("al", "amber", 1, min(6)), score("ann", "amber", 7, min(10)))
        .advanceProcessingTime(min(11))
        .addElements(score("ann", "amber", 2, min(11)))
        .advanceWatermarkTo(START.plus(WINDOW).plus(LATENESS).plus(min(1)))
        .advanceWatermarkToInfinity();
  }

  private void assertLateWithinAllowedLateness(Summing summing) {
    Pipeline p = pipeline();
    PCollection<KV<String, Integer>> scores =
        p.apply(lateWithinAllowedLateness()).apply(new TeamScores(summing));
    PAssert.that(scores)
        .inEarlyPane(FIRST_WINDOW)
        .containsInAnyOrder(KV.of("amber", 2), KV.of("teal", 4));
    PAssert.that(scores)
        .inOnTimePane(FIRST_WINDOW)
        .containsInAnyOrder(KV.of("amber", 5), KV.of("teal", 4));
    PAssert.that(scores)
        .inLatePane(FIRST_WINDOW)
        .containsInAnyOrder(KV.of("amber", 13), KV.of("amber", 15));
    // Teal had nothing after its on-time pane, so only amber closes with a final pane.
    PAssert.that(scores).inFinalPane(FIRST_WINDOW).containsInAnyOrder(KV.of("amber", 15));
    p.run().waitUntilFinish();
  }

  @Test
  public void eventsAfterTheWindowWithinAllowedLatenessGiveLatePanes() {
    assertLateWithinAllowedLateness(Summing.COMBINE);
  }

  @Test
  public void groupByKeyGivesLatePanesForEventsWithinAllowedLateness() {
    assertLateWithinAllowedLateness(Summing.GROUP_BY_KEY);
  }

  @Test
  public void lateEventsAfterAnEarlyPaneGiveLatePanesAfterTheOnTimePaneOfEveryTeam() {
    Pipeline p = pipeline();
    TestStream<String> stream =
        events()
            .advanceWatermarkTo(START)
            .addElements(
                score("ann", "amber", 3, Duration.standardSeconds(10)),
                score("al", "amber", 4, min(6)))
            .advanceProcessingTime(min(10))
            .advanceWatermarkTo(START.plus(min(4)))
            .addElements(
                score("tom", "teal", 2, min(1)),
                score("tom", "teal", 5, min(3)),
                score("ann", "amber", 2, min(8)))
            .advanceWatermarkTo(START.plus(WINDOW).plus(LATENESS).minus(min(1)))
            .addElements(
                score("tia", "teal", 1, min(0)),
                score("tia", "teal", 4, min(2)),
                score("tia", "teal", 6, min(4)))
            .advanceProcessingTime(min(12))
            .addElements(score("tia", "teal", 8, min(1)), score("tia", "teal", 2, min(5)))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> scores =
        p.apply(stream).apply(new TeamScores(Summing.COMBINE));
    PAssert.that(scores).inEarlyPane(FIRST_WINDOW).containsInAnyOrder(KV.of("amber", 7));
    PAssert.that(scores)
        .inOnTimePane(FIRST_WINDOW)
        .containsInAnyOrder(KV.of("amber", 9), KV.of("teal", 7));
    PAssert.that(scores)
        .inLatePane(FIRST_WINDOW)
        .containsInAnyOrder(KV.of("teal", 18), KV.of("teal", 28));
    PAssert.that(scores).inFinalPane(FIRST_WINDOW).containsInAnyOrder(KV.of("teal", 28));
    p.run().waitUntilFinish();
  }

  @Test
  public void firstEventOfATeamAfterTheOnTimePaneGivesALatePane() {
    Pipeline p = pipeline();
    TestStream<String> stream =
        events()
            .advanceWatermarkTo(START)
            .addElements(score("ann", "amber", 3, min(2)))
            .advanceWatermarkTo(START.plus(min(30)))
            .addElements(score("tom", "teal", 4, min(5)))
            .advanceProcessingTime(min(11))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> scores =
        p.apply(stream).apply(new TeamScores(Summing.COMBINE));
    PAssert.that(scores).inOnTimePane(FIRST_WINDOW).containsInAnyOrder(KV.of("amber", 3));
    PAssert.that(scores).inLatePane(FIRST_WINDOW).containsInAnyOrder(KV.of("teal", 4));
    PAssert.that(scores).inFinalPane(FIRST_WINDOW).empty();
    p.run().waitUntilFinish();
  }

  @Test
  public void eventsBeyondAllowedLatenessAreDroppedAndGiveNoFinalPane() {
    Pipeline p = pipeline();
    TestStream<String> stream =
        events()
            .addElements(score("ann", "amber", 5, min(0)), score("tom", "teal", 2, min(0)))
            .advanceWatermarkTo(FIRST_WINDOW.maxTimestamp())
            .addElements(score("al", "amber", 1, min(4)), score("tia", "teal", 3, min(1)))
            .advanceWatermarkTo(START.plus(WINDOW))
            .advanceWatermarkTo(START.plus(WINDOW).plus(LATENESS).plus(min(1)))
            .addElements(score("tia", "teal", 9, min(19)), score("ann", "amber", 4, min(2)))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> scores =
        p.apply(stream).apply(new TeamScores(Summing.COMBINE));
    PAssert.that(scores)
        .inWindow(FIRST_WINDOW)
        .containsInAnyOrder(KV.of("amber", 6), KV.of("teal", 5));
    PAssert.that(scores)
        .inOnTimePane(FIRST_WINDOW)
        .containsInAnyOrder(KV.of("amber", 6), KV.of("teal", 5));
    PAssert.that(scores).inFinalPane(FIRST_WINDOW).empty();
    p.run().waitUntilFinish();
  }

  @Test
  public void lateEventThatExtendsASessionGivesALatePaneForTheMergedSession() {
    Pipeline p = pipeline();
    TestStream<String> stream =
        events()
            .advanceWatermarkTo(START)
            .addElements(
                score("ann", "amber", 1, min(0)),
                score("ann", "amber", 2, min(5)),
                score("tom", "teal", 3, min(1)))
            .advanceWatermarkTo(START.plus(min(30)))
            .addElements(score("ann", "amber", 4, min(12)), score("tom", "teal", 5, min(40)))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> scores =
        p.apply(stream)
            .apply("TeamPoints", MapElements.via(new TeamPoints()))
            .apply(
                Window.<KV<String, Integer>>into(Sessions.withGapDuration(min(10)))
                    .triggering(
                        AfterWatermark.pastEndOfWindow()
                            .withLateFirings(AfterPane.elementCountAtLeast(1)))
                    .withAllowedLateness(LATENESS)
                    .accumulatingFiredPanes())
            .apply(Sum.integersPerKey());
    IntervalWindow amberFirst = new IntervalWindow(START, START.plus(min(15)));
    IntervalWindow amberMerged = new IntervalWindow(START, START.plus(min(22)));
    IntervalWindow tealFirst = new IntervalWindow(START.plus(min(1)), START.plus(min(11)));
    IntervalWindow tealSecond = new IntervalWindow(START.plus(min(40)), START.plus(min(50)));
    PAssert.that(scores).inOnTimePane(amberFirst).containsInAnyOrder(KV.of("amber", 3));
    PAssert.that(scores).inWindow(amberMerged).containsInAnyOrder(KV.of("amber", 7));
    PAssert.that(scores).inOnTimePane(tealFirst).containsInAnyOrder(KV.of("teal", 3));
    PAssert.that(scores).inOnTimePane(tealSecond).containsInAnyOrder(KV.of("teal", 5));
    p.run().waitUntilFinish();
  }
}
