package dev.weir.examples;

import java.math.BigDecimal;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Fraud detection: transaction lines {@code time,card,amount} (amount in currency units with two
 * decimals, such as {@code 12.50}) in, alert lines out, one per transaction that trips a rule:
 *
 * <ul>
 *   <li>{@code time,card,rapid,k}: the card's {@code k}-th transaction within {@code within}
 *       ({@code k >= maxTransactions}; the span is {@code (time - within, time]});
 *   <li>{@code time,card,small-then-large,small,large}: the card's previous transaction was below
 *       {@code smallBelowCents} and this one, less than {@code within} later, is at least {@code
 *       largeFromCents}.
 * </ul>
 *
 * <p>Rules see each card's transactions in event-time order, whatever order they arrive in; see
 * {@link CardRulesFn}.
 */
public final class FlagSuspiciousCards
    extends PTransform<PCollection<String>, PCollection<String>> {
  private final int maxTransactions;
  private final Duration within;
  private final long smallBelowCents;
  private final long largeFromCents;

  public FlagSuspiciousCards(
      int maxTransactions, Duration within, long smallBelowCents, long largeFromCents) {
    if (maxTransactions < 1) {
      throw new IllegalArgumentException(
          "maxTransactions must be at least 1, not " + maxTransactions);
    }
    if (!within.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException("within must be positive, not " + within);
    }
    this.maxTransactions = maxTransactions;
    this.within = within;
    this.smallBelowCents = smallBelowCents;
    this.largeFromCents = largeFromCents;
  }

  @Override
  public PCollection<String> expand(PCollection<String> transactions) {
    return transactions
        .apply(
            "ByCard",
            MapElements.into(
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                .via(FlagSuspiciousCards::cardAndCents))
        .apply(
            "Rules",
            ParDo.of(new CardRulesFn(maxTransactions, within, smallBelowCents, largeFromCents)));
  }

  private static KV<String, Long> cardAndCents(String line) {
    String[] fields = EventLine.fields(line);
    if (fields.length != 3) {
      throw new IllegalArgumentException("A transaction is time,card,amount, not: " + line);
    }
    return KV.of(fields[1], cents(fields[2]));
  }

  /** {@code "12.50"} as 1250. */
  static long cents(String amount) {
    return new BigDecimal(amount).movePointRight(2).longValueExact();
  }

  /** 1250 as {@code "12.50"}. */
  static String amount(long cents) {
    return BigDecimal.valueOf(cents, 2).toPlainString();
  }
}
