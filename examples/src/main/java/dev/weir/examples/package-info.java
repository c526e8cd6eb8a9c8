/**
 * Runnable Beam pipelines that show Weir at work, each a plain Beam pipeline with a {@code main}
 * that runs on Weir unless {@code --runner} names another runner ({@link
 * dev.weir.examples.ExampleArgs}).
 *
 * <ul>
 *   <li>{@link dev.weir.examples.WordCount}: words of a text.
 *   <li>{@link dev.weir.examples.FraudDetection}: per-card stateful rules with event-time timers.
 *   <li>{@link dev.weir.examples.SessionAnalytics}: session windows with late, accumulating panes.
 *   <li>{@link dev.weir.examples.RecommendationFeatures}: sliding-window counts joined into rows.
 *   <li>{@link dev.weir.examples.RateLimiting}: per-client counts per window and a top N.
 * </ul>
 *
 * <p>The logic of each is a {@code PTransform} of its own, which tests apply directly. The event
 * examples read timestamped CSV lines ({@link dev.weir.examples.EventLine}) from the source {@code
 * --source} picks ({@link dev.weir.examples.EventLines}): a small bundled file by default, so they
 * run from a fresh clone without downloads, or an unbounded deterministic generator.
 */
package dev.weir.examples;
