package dev.weir.examples;

import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The event lines of an example ({@link EventLine}), stamped with their event time, from the
 * source chosen by {@code --source}: {@value #BUNDLED} reads the example's bundled file (or {@code
 * --inputFile}) as a bounded collection; {@value #GENERATOR} makes an unbounded stream with the
 * example's {@link EventFormula}. Another source (a message broker, say) fits in as one more case
 * that yields the same lines with the same timestamps.
 */
public final class EventLines extends PTransform<PBegin, PCollection<String>> {
  static final String BUNDLED = "bundled";
  static final String GENERATOR = "generator";

  private final EventSourceOptions options;
  private final String bundledResource;
  private final EventFormula formula;

  private EventLines(EventSourceOptions options, String bundledResource, EventFormula formula) {
    this.options = options;
    this.bundledResource = bundledResource;
    this.formula = formula;
  }

  /**
   * The events {@code options} ask for; {@code bundledResource} is the class-path file read by
   * default, {@code formula} makes the generated events.
   */
  public static EventLines from(
      EventSourceOptions options, String bundledResource, EventFormula formula) {
    return new EventLines(options, bundledResource, formula);
  }

  @Override
  public PCollection<String> expand(PBegin begin) {
    switch (options.getSource()) {
      case BUNDLED:
        String file =
            options.getInputFile() != null
                ? options.getInputFile()
                : BundledFile.copyToTempFile(bundledResource);
        return begin
            .apply("ReadEvents", TextIO.read().from(file))
            .apply("StampEventTimes", new StampEventTimes());
      case GENERATOR:
        return begin.apply(
            "GenerateEvents",
            Read.from(
                new GeneratedEvents(
                    formula, options.getEventsPerSecond(), options.getMaxEvents())));
      default:
        throw new IllegalArgumentException(
            "--source="
                + options.getSource()
                + " is not a source of this example; use "
                + BUNDLED
                + " or "
                + GENERATOR);
    }
  }
}
