package dev.weir.examples;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Command-line options of {@link RateLimiting}. */
public interface RateLimitingOptions extends EventSourceOptions {

  @Description(
      "Prefix of the output files (windowStart,over-limit|top-r,client,count lines). Default:"
          + " target/rate-limiting/clients, relative to the working directory.")
  @Default.String("target/rate-limiting/clients")
  @Validation.Required
  String getOutput();

  void setOutput(String output);

  @Description("Length of the counting windows, in seconds.")
  @Default.Long(60)
  long getWindowSeconds();

  void setWindowSeconds(long seconds);

  @Description("A client with more requests than this in one window is over the limit.")
  @Default.Long(3)
  long getRequestLimit();

  void setRequestLimit(long limit);

  @Description("How many clients the top list of each window holds.")
  @Default.Integer(2)
  int getTopN();

  void setTopN(int n);
}
