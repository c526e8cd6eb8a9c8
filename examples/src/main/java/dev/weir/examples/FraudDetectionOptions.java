package dev.weir.examples;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Command-line options of {@link FraudDetection}. */
public interface FraudDetectionOptions extends EventSourceOptions {

  @Description(
      "Prefix of the output files of alert lines (time,card,rule,...). Default:"
          + " target/fraud-detection/alerts, relative to the working directory.")
  @Default.String("target/fraud-detection/alerts")
  @Validation.Required
  String getOutput();

  void setOutput(String output);

  @Description("A card is flagged at its N-th transaction within --withinSeconds.")
  @Default.Integer(3)
  int getMaxTransactions();

  void setMaxTransactions(int maxTransactions);

  @Description(
      "The span of both rules, in seconds: N transactions within it; a large transaction less"
          + " than this after a small one.")
  @Default.Long(60)
  long getWithinSeconds();

  void setWithinSeconds(long seconds);

  @Description("A transaction below this many cents is small.")
  @Default.Long(100)
  long getSmallBelowCents();

  void setSmallBelowCents(long cents);

  @Description("A transaction of at least this many cents is large.")
  @Default.Long(50_000)
  long getLargeFromCents();

  void setLargeFromCents(long cents);
}
