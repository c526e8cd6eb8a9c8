package dev.weir.examples;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Counts each client's requests per fixed window, flags clients over a limit and ranks the top N
 * ({@link RankClients}).
 *
 * <pre>{@code
 * mvn -q -pl examples exec:java -Dexec.mainClass=dev.weir.examples.RateLimiting \
 *     -Dexec.args="--output=/tmp/rate-limiting/clients"
 * }</pre>
 *
 * <p>By default it reads the bundled {@code requests.csv}; {@code --source=generator} runs it on an
 * endless generated stream ({@link #GENERATED}). See {@link RateLimitingOptions}.
 */
public final class RateLimiting {
  static final String BUNDLED = "/dev/weir/examples/requests.csv";

  private static final Instant START = Instant.parse("2026-03-02T00:00:00Z");
  private static final String[] PATHS = {"/search", "/item", "/cart"};

  /**
   * Generated requests, ten a second of event time from 2026-03-02T00:00:00Z: of each ten
   * consecutive indexes, 0 to 4 are {@code client-a}, 5 and 6 {@code client-b}, 7 {@code
   * client-c}, 8 {@code client-d}, 9 {@code client-e}. A full 60 s window thus holds 300, 120, 60,
   * 60 and 60 requests of them.
   */
  static final EventFormula GENERATED =
      index -> {
        long digit = index % 10;
        String client =
            digit <= 4
                ? "client-a"
                : digit <= 6 ? "client-b" : "client-" + (char) ('c' + digit - 7);
        return new Instant(START.getMillis() + index * 100)
            + ","
            + client
            + ","
            + PATHS[(int) (index % PATHS.length)];
      };

  private RateLimiting() {}

  public static void main(String[] args) {
    if (run(args).getState() != PipelineResult.State.DONE) {
      System.exit(1);
    }
  }

  /** What {@link #main} does, short of exiting: parses {@code args}, runs the job, waits for it. */
  public static PipelineResult run(String... args) {
    RateLimitingOptions options = ExampleArgs.parse(args, RateLimitingOptions.class);
    Pipeline pipeline = Pipeline.create(options);
    Duration window = Duration.standardSeconds(options.getWindowSeconds());
    pipeline
        .apply("Requests", EventLines.from(options, BUNDLED, GENERATED))
        .apply("RankClients", new RankClients(window, options.getRequestLimit(), options.getTopN()))
        .apply(
            "WriteClients",
            WriteLines.to(
                options.getOutput(),
                Duration.standardSeconds(options.getOutputWindowSeconds()),
                Duration.ZERO));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    System.out.printf("RateLimiting %s: wrote %s-*%n", result.getState(), options.getOutput());
    return result;
  }
}
