package dev.weir.examples;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Command-line options of {@link RecommendationFeatures}. */
public interface RecommendationFeaturesOptions extends EventSourceOptions {

  @Description(
      "Prefix of the output files (windowStart,windowEnd,user,item,userEvents,itemEvents,"
          + "pairEvents lines). Default: target/recommendation-features/rows, relative to the"
          + " working directory.")
  @Default.String("target/recommendation-features/rows")
  @Validation.Required
  String getOutput();

  void setOutput(String output);

  @Description("Length of the sliding windows, in minutes.")
  @Default.Long(10)
  long getWindowMinutes();

  void setWindowMinutes(long minutes);

  @Description("A sliding window starts every this many minutes.")
  @Default.Long(5)
  long getPeriodMinutes();

  void setPeriodMinutes(long minutes);
}
