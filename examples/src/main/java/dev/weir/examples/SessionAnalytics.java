package dev.weir.examples;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Summarizes each user's sessions of activity, late events included ({@link SummarizeSessions}).
 *
 * <pre>{@code
 * mvn -q -pl examples exec:java -Dexec.mainClass=dev.weir.examples.SessionAnalytics \
 *     -Dexec.args="--output=/tmp/sessions/sessions"
 * }</pre>
 *
 * <p>By default it reads the bundled {@code activity.csv} (a bounded run, where every session is
 * reported once, on time); {@code --source=generator} runs it on an endless generated stream
 * ({@link #GENERATED}). See {@link SessionAnalyticsOptions}.
 */
public final class SessionAnalytics {
  static final String BUNDLED = "/dev/weir/examples/activity.csv";

  private static final Instant START = Instant.parse("2026-03-02T00:00:00Z");
  private static final String[] ACTIONS = {"view", "search", "cart", "buy"};

  /**
   * Generated activity, one event a second of event time from 2026-03-02T00:00:00Z, in turns of
   * 100 events per user over 13 users ({@code user-0} has indexes 0 to 99, {@code user-1} 100 to
   * 199, ...): a user is active for 100 s every 1300 s, so with the default 10-minute gap each turn
   * is one session of 100 events.
   */
  static final EventFormula GENERATED =
      index ->
          new Instant(START.getMillis() + index * 1000)
              + ",user-"
              + (index / 100) % 13
              + ","
              + ACTIONS[(int) (index % ACTIONS.length)];

  private SessionAnalytics() {}

  public static void main(String[] args) {
    if (run(args).getState() != PipelineResult.State.DONE) {
      System.exit(1);
    }
  }

  /** What {@link #main} does, short of exiting: parses {@code args}, runs the job, waits for it. */
  public static PipelineResult run(String... args) {
    SessionAnalyticsOptions options = ExampleArgs.parse(args, SessionAnalyticsOptions.class);
    Pipeline pipeline = Pipeline.create(options);
    Duration lateness = Duration.standardMinutes(options.getAllowedLatenessMinutes());
    pipeline
        .apply("Activity", EventLines.from(options, BUNDLED, GENERATED))
        .apply(
            "SummarizeSessions",
            new SummarizeSessions(Duration.standardMinutes(options.getGapMinutes()), lateness))
        .apply(
            "WriteSessions",
            WriteLines.to(
                options.getOutput(),
                Duration.standardSeconds(options.getOutputWindowSeconds()),
                lateness));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    System.out.printf("SessionAnalytics %s: wrote %s-*%n", result.getState(), options.getOutput());
    return result;
  }
}
