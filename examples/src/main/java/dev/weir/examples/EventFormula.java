package dev.weir.examples;

import java.io.Serializable;

/**
 * The {@code index}-th event of an example's generated stream, as an event line ({@link
 * EventLine}). A pure function of the index, so every run generates the same events. Event times
 * must not decrease with the index: {@link GeneratedEvents} takes the next event's time as the
 * watermark.
 */
@FunctionalInterface
public interface EventFormula extends Serializable {
  String line(long index);
}
