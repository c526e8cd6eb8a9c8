package dev.weir.examples;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Builds feature rows for recommendations from user-item interactions: per sliding window, the
 * interactions of each user, of each item and of each pair, joined into one row per pair ({@link
 * JoinFeatureRows}).
 *
 * <pre>{@code
 * mvn -q -pl examples exec:java -Dexec.mainClass=dev.weir.examples.RecommendationFeatures \
 *     -Dexec.args="--output=/tmp/features/rows"
 * }</pre>
 *
 * <p>By default it reads the bundled {@code interactions.csv}; {@code --source=generator} runs it
 * on an endless generated stream ({@link #GENERATED}). See {@link RecommendationFeaturesOptions}.
 */
public final class RecommendationFeatures {
  static final String BUNDLED = "/dev/weir/examples/interactions.csv";

  private static final Instant START = Instant.parse("2026-03-02T00:00:00Z");

  /**
   * Generated interactions, one every 2 s of event time from 2026-03-02T00:00:00Z: index {@code i}
   * is {@code user-(i % 7)} with {@code item-(i % 5)}, so every pair recurs every 35 indexes.
   */
  static final EventFormula GENERATED =
      index ->
          new Instant(START.getMillis() + index * 2000)
              + ",user-"
              + index % 7
              + ",item-"
              + index % 5;

  private RecommendationFeatures() {}

  public static void main(String[] args) {
    if (run(args).getState() != PipelineResult.State.DONE) {
      System.exit(1);
    }
  }

  /** What {@link #main} does, short of exiting: parses {@code args}, runs the job, waits for it. */
  public static PipelineResult run(String... args) {
    RecommendationFeaturesOptions options =
        ExampleArgs.parse(args, RecommendationFeaturesOptions.class);
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("Interactions", EventLines.from(options, BUNDLED, GENERATED))
        .apply(
            "JoinFeatureRows",
            new JoinFeatureRows(
                Duration.standardMinutes(options.getWindowMinutes()),
                Duration.standardMinutes(options.getPeriodMinutes())))
        .apply(
            "WriteRows",
            WriteLines.to(
                options.getOutput(),
                Duration.standardSeconds(options.getOutputWindowSeconds()),
                Duration.ZERO));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    System.out.printf(
        "RecommendationFeatures %s: wrote %s-*%n", result.getState(), options.getOutput());
    return result;
  }
}
