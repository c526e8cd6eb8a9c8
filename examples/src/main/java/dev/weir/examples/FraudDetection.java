package dev.weir.examples;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Flags card transactions that look like fraud ({@link FlagSuspiciousCards}): a card's N-th
 * transaction within a span, or a large transaction soon after a small one.
 *
 * <pre>{@code
 * mvn -q -pl examples exec:java -Dexec.mainClass=dev.weir.examples.FraudDetection \
 *     -Dexec.args="--output=/tmp/fraud/alerts"
 * }</pre>
 *
 * <p>By default it reads the bundled {@code transactions.csv}; {@code --source=generator} runs it
 * on an endless generated stream ({@link #GENERATED}). See {@link FraudDetectionOptions}.
 */
public final class FraudDetection {
  static final String BUNDLED = "/dev/weir/examples/transactions.csv";

  private static final Instant START = Instant.parse("2026-03-02T00:00:00Z");

  /**
   * Generated transactions, one a second from 2026-03-02T00:00:00Z over 50 cards (each card every
   * 50 s), amounts 1.00 to 200.99; in each block of 1000, index 10 is a 0.42 payment and index 60
   * (the same card, 50 s later) one of 742.00, and indexes 500 to 502 go to {@code card-burst},
   * three within 3 s.
   */
  static final EventFormula GENERATED =
      index -> {
        Instant time = new Instant(START.getMillis() + index * 1000);
        long inBlock = index % 1000;
        String card = inBlock >= 500 && inBlock <= 502 ? "card-burst" : "card-" + index % 50;
        long cents = 100 + (index * 7919) % 20_000;
        if (inBlock == 10) {
          cents = 42;
        } else if (inBlock == 60) {
          cents = 74_200;
        }
        return time + "," + card + "," + FlagSuspiciousCards.amount(cents);
      };

  private FraudDetection() {}

  public static void main(String[] args) {
    if (run(args).getState() != PipelineResult.State.DONE) {
      System.exit(1);
    }
  }

  /** What {@link #main} does, short of exiting: parses {@code args}, runs the job, waits for it. */
  public static PipelineResult run(String... args) {
    FraudDetectionOptions options = ExampleArgs.parse(args, FraudDetectionOptions.class);
    Pipeline pipeline = Pipeline.create(options);
    Duration within = Duration.standardSeconds(options.getWithinSeconds());
    pipeline
        .apply("Transactions", EventLines.from(options, BUNDLED, GENERATED))
        .apply(
            "FlagSuspiciousCards",
            new FlagSuspiciousCards(
                options.getMaxTransactions(),
                within,
                options.getSmallBelowCents(),
                options.getLargeFromCents()))
        .apply(
            "WriteAlerts",
            WriteLines.to(
                options.getOutput(),
                Duration.standardSeconds(options.getOutputWindowSeconds()),
                Duration.ZERO));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    System.out.printf("FraudDetection %s: wrote %s-*%n", result.getState(), options.getOutput());
    return result;
  }
}
