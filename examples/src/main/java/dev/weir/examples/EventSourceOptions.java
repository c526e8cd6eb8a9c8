package dev.weir.examples;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Where an event-driven example (fraud detection, sessions, recommendation features, top
 * requesters) takes its events from, and how its output is written. See {@link EventLines}.
 */
public interface EventSourceOptions extends PipelineOptions {

  @Description(
      "Where events come from: 'bundled' (the default: a small file of timestamped events shipped"
          + " with the example, or --inputFile; a bounded run) or 'generator' (an unbounded,"
          + " deterministic stream of events at --eventsPerSecond, ending after --maxEvents if"
          + " that is positive).")
  @Default.String(EventLines.BUNDLED)
  String getSource();

  void setSource(String source);

  @Description(
      "With --source=bundled: a file (or glob) of event lines to read instead of the example's"
          + " bundled data. Lines are CSV, the first field an ISO-8601 event time.")
  String getInputFile();

  void setInputFile(String inputFile);

  @Description("With --source=generator: events generated per second, over all splits.")
  @Default.Integer(200)
  int getEventsPerSecond();

  void setEventsPerSecond(int eventsPerSecond);

  @Description(
      "With --source=generator: stop after this many events (0, the default: never stop; cancel"
          + " the job to end it).")
  @Default.Long(0)
  long getMaxEvents();

  void setMaxEvents(long maxEvents);

  @Description(
      "For an unbounded source: output lines are grouped into files per event-time window of this"
          + " many seconds (files <output>-<window>-<pane>-SSSSS-of-NNNNN).")
  @Default.Long(60)
  long getOutputWindowSeconds();

  void setOutputWindowSeconds(long seconds);
}
