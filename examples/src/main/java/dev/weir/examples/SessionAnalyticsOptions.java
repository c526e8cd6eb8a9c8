package dev.weir.examples;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Command-line options of {@link SessionAnalytics}. */
public interface SessionAnalyticsOptions extends EventSourceOptions {

  @Description(
      "Prefix of the output files (user,start,end,events,timing lines). Default:"
          + " target/session-analytics/sessions, relative to the working directory.")
  @Default.String("target/session-analytics/sessions")
  @Validation.Required
  String getOutput();

  void setOutput(String output);

  @Description("A user's session ends after this many minutes without activity.")
  @Default.Long(10)
  long getGapMinutes();

  void setGapMinutes(long minutes);

  @Description(
      "Events this many minutes behind the watermark still update their session (a late pane);"
          + " later ones are dropped.")
  @Default.Long(30)
  long getAllowedLatenessMinutes();

  void setAllowedLatenessMinutes(long minutes);
}
