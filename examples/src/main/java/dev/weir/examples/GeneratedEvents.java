package dev.weir.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.DelegateCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * An unbounded stream of event lines made by an {@link EventFormula}: event {@code i} is {@code
 * formula.line(i)}, stamped with its event time. Split {@code k} of {@code n} makes the events
 * {@code k, k + n, k + 2n, ...}, at most {@code eventsPerSecond / n} a second; all splits together
 * make every index once, so what a run generates does not depend on the split count or speed.
 *
 * <p>With {@code maxEvents > 0} the stream ends after events {@code 0 .. maxEvents - 1}: each
 * reader's watermark then jumps to the end of time, which ends the read (a finite run of the
 * unbounded mode, for tests and demos). Otherwise it goes on until the job is cancelled.
 */
final class GeneratedEvents extends UnboundedSource<String, GeneratedEvents.Position> {
  private final EventFormula formula;
  private final int eventsPerSecond;
  private final long maxEvents;
  private final int split;
  private final int splits;

  GeneratedEvents(EventFormula formula, int eventsPerSecond, long maxEvents) {
    this(formula, eventsPerSecond, maxEvents, 0, 1);
  }

  private GeneratedEvents(
      EventFormula formula, int eventsPerSecond, long maxEvents, int split, int splits) {
    if (eventsPerSecond <= 0) {
      throw new IllegalArgumentException(
          "--eventsPerSecond must be positive, not " + eventsPerSecond);
    }
    if (maxEvents < 0) {
      throw new IllegalArgumentException(
          "--maxEvents must be 0 (no end) or positive, not " + maxEvents);
    }
    this.formula = formula;
    this.eventsPerSecond = eventsPerSecond;
    this.maxEvents = maxEvents;
    this.split = split;
    this.splits = splits;
  }

  @Override
  public List<GeneratedEvents> split(int desiredNumSplits, PipelineOptions options) {
    int n = Math.max(1, desiredNumSplits);
    List<GeneratedEvents> parts = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      parts.add(new GeneratedEvents(formula, eventsPerSecond, maxEvents, k, n));
    }
    return parts;
  }

  @Override
  public UnboundedReader<String> createReader(
      PipelineOptions options, @Nullable Position position) {
    return new Reader(this, position == null ? 0 : position.emitted);
  }

  @Override
  public Coder<Position> getCheckpointMarkCoder() {
    return DelegateCoder.of(VarLongCoder.of(), position -> position.emitted, Position::new);
  }

  @Override
  public Coder<String> getOutputCoder() {
    return StringUtf8Coder.of();
  }

  /** The index of split {@code split}'s {@code n}-th event. */
  long index(long n) {
    return split + n * splits;
  }

  /**
   * How many events one of {@code splits} splits may have made {@code elapsedNanos} after it
   * started, at {@code eventsPerSecond} over all splits: its share of the rate, plus a first burst
   * of a tenth of a second's share (at least one event), so a reader starts at once.
   */
  static long due(long elapsedNanos, int eventsPerSecond, int splits) {
    double perSecond = (double) eventsPerSecond / splits;
    return (long) (elapsedNanos / 1e9 * perSecond) + Math.max(1, (long) (perSecond / 10));
  }

  /** How many events a split has made so far; its reader resumes from here. */
  static final class Position implements UnboundedSource.CheckpointMark {
    final long emitted;

    Position(long emitted) {
      this.emitted = emitted;
    }

    @Override
    public void finalizeCheckpoint() {
      // Nothing to acknowledge: events are recomputed from their index.
    }
  }

  private static final class Reader extends UnboundedReader<String> {
    private final GeneratedEvents source;
    private long emitted;
    private long startNanos;
    private long emittedAtStart;
    private @Nullable String current;
    private Instant currentTimestamp = BoundedWindow.TIMESTAMP_MIN_VALUE;

    Reader(GeneratedEvents source, long emitted) {
      this.source = source;
      this.emitted = emitted;
    }

    @Override
    public boolean start() {
      startNanos = System.nanoTime();
      emittedAtStart = emitted;
      return advance();
    }

    @Override
    public boolean advance() {
      if (exhausted() || !due()) {
        return false;
      }
      current = source.formula.line(source.index(emitted));
      currentTimestamp = EventLine.timestamp(current);
      emitted++;
      return true;
    }

    private boolean exhausted() {
      return source.maxEvents > 0 && source.index(emitted) >= source.maxEvents;
    }

    private boolean due() {
      long elapsedNanos = System.nanoTime() - startNanos;
      return emitted - emittedAtStart
          < GeneratedEvents.due(elapsedNanos, source.eventsPerSecond, source.splits);
    }

    @Override
    public String getCurrent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public Instant getCurrentTimestamp() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return currentTimestamp;
    }

    /**
     * The next event's time: event times do not decrease with the index, so no later event is
     * older. The end of time once the last event is out.
     */
    @Override
    public Instant getWatermark() {
      if (exhausted()) {
        return BoundedWindow.TIMESTAMP_MAX_VALUE;
      }
      return EventLine.timestamp(source.formula.line(source.index(emitted)));
    }

    @Override
    public Position getCheckpointMark() {
      return new Position(emitted);
    }

    @Override
    public GeneratedEvents getCurrentSource() {
      return source;
    }

    @Override
    public void close() {}
  }
}
