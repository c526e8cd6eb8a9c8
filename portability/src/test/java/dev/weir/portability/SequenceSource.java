package dev.weir.portability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * An unbounded source of {@code total} elements {@code ("k" + seq % keys, seq)} at event time
 * {@code seq} ms, in {@code splits} fixed splits (split {@code i}: the numbers congruent to
 * {@code i}), each at most {@code perSecond / splits} elements a second. A split's checkpoint mark
 * is the next number it emits; its watermark reaches the end of time once it has emitted all. The
 * marks readers were created from are recorded in this JVM ({@link #RESUMED_AT}), so a test can
 * see that a restart resumed from a checkpoint rather than from the start.
 */
final class SequenceSource extends UnboundedSource<KV<String, Long>, SequenceSource.Mark> {
  /** The marks (next numbers) of the readers created from a checkpoint mark, in this JVM. */
  static final Queue<Long> RESUMED_AT = new ConcurrentLinkedQueue<>();

  private final long total;
  private final int keys;
  private final int splits;
  private final int split;
  private final long perSecond;

  SequenceSource(long total, int keys, int splits, long perSecond) {
    this(total, keys, splits, -1, perSecond);
  }

  private SequenceSource(long total, int keys, int splits, int split, long perSecond) {
    this.total = total;
    this.keys = keys;
    this.splits = splits;
    this.split = split;
    this.perSecond = perSecond;
  }

  static String keyOf(long seq, int keys) {
    return "k" + seq % keys;
  }

  @Override
  public List<SequenceSource> split(int desiredNumSplits, PipelineOptions options) {
    // The same splits whatever is asked: a restore must find them again.
    List<SequenceSource> result = new ArrayList<>();
    for (int i = 0; i < splits; i++) {
      result.add(new SequenceSource(total, keys, splits, i, perSecond));
    }
    return result;
  }

  @Override
  public UnboundedReader<KV<String, Long>> createReader(
      PipelineOptions options, @Nullable Mark mark) {
    if (split < 0) {
      throw new IllegalStateException("read a split, not the whole source");
    }
    if (mark != null) {
      RESUMED_AT.add(mark.next);
    }
    return new Reader(mark == null ? split : mark.next);
  }

  @Override
  public Coder<Mark> getCheckpointMarkCoder() {
    return MarkCoder.INSTANCE;
  }

  @Override
  public Coder<KV<String, Long>> getOutputCoder() {
    return KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
  }

  static final class Mark implements UnboundedSource.CheckpointMark {
    final long next;

    Mark(long next) {
      this.next = next;
    }

    @Override
    public void finalizeCheckpoint() {}
  }

  static final class MarkCoder extends AtomicCoder<Mark> {
    static final MarkCoder INSTANCE = new MarkCoder();

    @Override
    public void encode(Mark value, OutputStream out) throws IOException {
      VarLongCoder.of().encode(value.next, out);
    }

    @Override
    public Mark decode(InputStream in) throws IOException {
      return new Mark(VarLongCoder.of().decode(in));
    }
  }

  private final class Reader extends UnboundedSource.UnboundedReader<KV<String, Long>> {
    private final long startedMillis = System.currentTimeMillis();
    private long next;
    private long emitted;
    private long current = -1;

    Reader(long next) {
      this.next = next;
    }

    @Override
    public boolean start() {
      return advance();
    }

    @Override
    public boolean advance() {
      long allowed = (System.currentTimeMillis() - startedMillis + 1) * perSecond / splits / 1000 + 1;
      if (next >= total || emitted >= allowed) {
        current = -1;
        return false;
      }
      current = next;
      next += splits;
      emitted++;
      return true;
    }

    @Override
    public KV<String, Long> getCurrent() {
      if (current < 0) {
        throw new NoSuchElementException();
      }
      return KV.of(keyOf(current, keys), current);
    }

    @Override
    public Instant getCurrentTimestamp() {
      if (current < 0) {
        throw new NoSuchElementException();
      }
      return new Instant(current);
    }

    @Override
    public Instant getWatermark() {
      return next >= total ? BoundedWindow.TIMESTAMP_MAX_VALUE : new Instant(next - 1);
    }

    @Override
    public Mark getCheckpointMark() {
      return new Mark(next);
    }

    @Override
    public SequenceSource getCurrentSource() {
      return SequenceSource.this;
    }

    @Override
    public void close() {}
  }
}
