package dev.weir.worker.operators;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.coders.BigEndianLongCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Counts without end like Beam's {@code CountingSource}, but always splits into the same number of
 * splits whatever the parallelism (split {@code i} of {@code n} counts {@code i, i + n, ...}), so a
 * subtask can own several splits; and it records each finalized mark, so a test can see when.
 */
final class FixedSplitsSource extends UnboundedSource<Long, FixedSplitsSource.LastEmitted> {
  private static final long serialVersionUID = 1L;

  // The pipeline holds a deserialized copy of the source, so finalizations are found by id.
  private static final Map<String, List<Long>> FINALIZED = new ConcurrentHashMap<>();
  private static final Map<String, List<Long>> READERS_CREATED = new ConcurrentHashMap<>();

  private final String id;
  private final int splitCount;
  private final long first;
  private final long stride;
  private final long end;
  // Whether a split at its end waits for more input (watermark held) rather than being finished.
  private final boolean idleAtEnd;
  // The end of split 0 alone, so that it finishes while the others go on.
  private final long firstSplitEnd;

  /** A source of {@code splitCount} splits whose finalized marks are kept under {@code id}. */
  FixedSplitsSource(String id, int splitCount) {
    this(id, splitCount, 0, 1, Long.MAX_VALUE, false, Long.MAX_VALUE);
  }

  /** Like {@link #FixedSplitsSource(String, int)}, but the splits end below {@code end}. */
  static FixedSplitsSource endingBelow(String id, int splitCount, long end) {
    return new FixedSplitsSource(id, splitCount, 0, 1, end, false, end);
  }

  /**
   * Like {@link #endingBelow}, but a split at its end has no data and holds its watermark, as a
   * source waiting for more input does: it never finishes.
   */
  static FixedSplitsSource idleFrom(String id, int splitCount, long end) {
    return new FixedSplitsSource(id, splitCount, 0, 1, end, true, end);
  }

  /** Split 0 ends below {@code end} and finishes; the others count without end. */
  static FixedSplitsSource firstSplitEndingBelow(String id, int splitCount, long end) {
    return new FixedSplitsSource(id, splitCount, 0, 1, Long.MAX_VALUE, false, end);
  }

  private FixedSplitsSource(
      String id,
      int splitCount,
      long first,
      long stride,
      long end,
      boolean idleAtEnd,
      long firstSplitEnd) {
    this.id = id;
    this.splitCount = splitCount;
    this.first = first;
    this.stride = stride;
    this.end = end;
    this.idleAtEnd = idleAtEnd;
    this.firstSplitEnd = firstSplitEnd;
  }

  /** The last element of each mark finalized so far, in the order they were finalized. */
  static List<Long> finalizedMarks(String id) {
    return new ArrayList<>(FINALIZED.getOrDefault(id, Collections.emptyList()));
  }

  /** The first element of the split of each reader created so far, in the order they were. */
  static List<Long> readersCreated(String id) {
    return new ArrayList<>(READERS_CREATED.getOrDefault(id, Collections.emptyList()));
  }

  @Override
  public List<FixedSplitsSource> split(int desiredNumSplits, PipelineOptions options) {
    List<FixedSplitsSource> splits = new ArrayList<>();
    for (int i = 0; i < splitCount; i++) {
      splits.add(
          new FixedSplitsSource(
              id,
              splitCount,
              first + i * stride,
              stride * splitCount,
              i == 0 ? Math.min(end, firstSplitEnd) : end,
              idleAtEnd,
              Long.MAX_VALUE));
    }
    return splits;
  }

  @Override
  public UnboundedReader<Long> createReader(
      PipelineOptions options, @Nullable LastEmitted checkpointMark) {
    READERS_CREATED.computeIfAbsent(id, k -> Collections.synchronizedList(new ArrayList<>()))
        .add(first);
    return new Reader(checkpointMark == null ? first - stride : checkpointMark.last);
  }

  @Override
  public Coder<LastEmitted> getCheckpointMarkCoder() {
    return new LastEmittedCoder();
  }

  @Override
  public Coder<Long> getOutputCoder() {
    return VarLongCoder.of();
  }

  /** The mark: the last element a split's reader emitted. */
  static final class LastEmitted implements UnboundedSource.CheckpointMark {
    final String sourceId;
    final long last;

    LastEmitted(String sourceId, long last) {
      this.sourceId = sourceId;
      this.last = last;
    }

    @Override
    public void finalizeCheckpoint() {
      FINALIZED.computeIfAbsent(sourceId, k -> Collections.synchronizedList(new ArrayList<>()))
          .add(last);
    }
  }

  static final class LastEmittedCoder extends CustomCoder<LastEmitted> {
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(LastEmitted mark, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(mark.sourceId, out);
      BigEndianLongCoder.of().encode(mark.last, out);
    }

    @Override
    public LastEmitted decode(InputStream in) throws IOException {
      return new LastEmitted(StringUtf8Coder.of().decode(in), BigEndianLongCoder.of().decode(in));
    }
  }

  private final class Reader extends UnboundedReader<Long> {
    private long current;

    Reader(long current) {
      this.current = current;
    }

    @Override
    public boolean start() {
      return advance();
    }

    @Override
    public boolean advance() {
      if (current + stride >= end) {
        return false;
      }
      current += stride;
      return true;
    }

    @Override
    public Long getCurrent() throws NoSuchElementException {
      return current;
    }

    @Override
    public Instant getCurrentTimestamp() throws NoSuchElementException {
      return BoundedWindow.TIMESTAMP_MIN_VALUE;
    }

    @Override
    public Instant getWatermark() {
      return current + stride >= end && !idleAtEnd
          ? BoundedWindow.TIMESTAMP_MAX_VALUE
          : BoundedWindow.TIMESTAMP_MIN_VALUE;
    }

    @Override
    public LastEmitted getCheckpointMark() {
      return new LastEmitted(id, current);
    }

    @Override
    public UnboundedSource<Long, ?> getCurrentSource() {
      return FixedSplitsSource.this;
    }

    @Override
    public void close() {}
  }
}
