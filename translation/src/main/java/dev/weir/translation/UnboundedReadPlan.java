package dev.weir.translation;

import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Reads an {@link UnboundedSource} directly: each subtask of the stage reads its share of the
 * source's splits in a loop and emits the readers' watermark, without the per-step bookkeeping of
 * a splittable DoFn. Each reader's checkpoint mark is its position.
 */
public final class UnboundedReadPlan extends OperatorPlan {
  private static final long serialVersionUID = 1L;

  private static final int MAX_BOUNDED_SPLITS = 100;
  private static final long RECORDS_PER_BOUNDED_SPLIT = 10_000;

  private final UnboundedSource<?, ?> source;
  private final long maxNumRecords;
  private final @Nullable Duration maxReadTime;

  UnboundedReadPlan(String name, Map<String, String> outputs, UnboundedSource<?, ?> source) {
    this(name, outputs, source, Long.MAX_VALUE, null);
  }

  /**
   * A bounded read ({@link BoundedReadOverride}): the splits together read at most {@code
   * maxNumRecords}, each split for at most {@code maxReadTime}, and each element goes out as a
   * {@code ValueWithRecordId}.
   */
  UnboundedReadPlan(
      String name,
      Map<String, String> outputs,
      UnboundedSource<?, ?> source,
      long maxNumRecords,
      @Nullable Duration maxReadTime) {
    super(name, PTransformTranslation.READ_TRANSFORM_URN, List.of(), outputs);
    this.source = source;
    this.maxNumRecords = maxNumRecords;
    this.maxReadTime = maxReadTime;
  }

  public UnboundedSource<?, ?> source() {
    return source;
  }

  /** Whether the read ends at bounds, emitting each element with its record id. */
  public boolean bounded() {
    return maxNumRecords < Long.MAX_VALUE || maxReadTime != null;
  }

  /** Records all splits together read at most; {@code Long.MAX_VALUE}: no bound. */
  public long maxNumRecords() {
    return maxNumRecords;
  }

  /**
   * How many splits to ask the source for: a bounded read asks as many as the SDK's own expansion
   * does (one per 10,000 records, at most 100), since a source may tell its splits apart in what
   * it emits; an unbounded read asks one per subtask.
   */
  public int desiredSplits(int parallelism) {
    if (!bounded()) {
      return parallelism;
    }
    return (int) Math.min(MAX_BOUNDED_SPLITS, maxNumRecords / RECORDS_PER_BOUNDED_SPLIT + 1);
  }

  /** How long each split is read at most; null: no bound. */
  public @Nullable Duration maxReadTime() {
    return maxReadTime;
  }
}
