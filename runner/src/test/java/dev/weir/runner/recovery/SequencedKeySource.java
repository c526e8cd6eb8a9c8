package dev.weir.runner.recovery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * A deterministic, rate-limited unbounded source of {@code total} elements {@code (key, seq)}:
 * element {@code seq} has key {@code "k" + seq % keys} and event time {@code seq} ms. Split {@code
 * i} of {@code splits} emits the sequence numbers congruent to {@code i}; its checkpoint mark is the
 * next one it would emit, so a reader restored from a mark continues exactly there. Only how fast
 * elements come depends on the clock, never which.
 */
final class SequencedKeySource extends UnboundedSource<KV<String, Long>, SequencedKeySource.Mark> {
  private final long total;
  private final int keys;
  private final int splits;
  private final int split;
  private final long elementsPerSecond;

  /** Names of the gates tests have opened (see {@link #heldAt}). */
  private static final Set<String> OPEN_GATES = ConcurrentHashMap.newKeySet();

  private final @Nullable String gate;
  private final long holdFrom;

  SequencedKeySource(long total, int keys, int splits, long elementsPerSecond) {
    this(total, keys, splits, -1, elementsPerSecond, null, Long.MAX_VALUE);
  }

  private SequencedKeySource(
      long total,
      int keys,
      int splits,
      int split,
      long elementsPerSecond,
      @Nullable String gate,
      long holdFrom) {
    this.total = total;
    this.keys = keys;
    this.splits = splits;
    this.split = split;
    this.elementsPerSecond = elementsPerSecond;
    this.gate = gate;
    this.holdFrom = holdFrom;
  }

  /**
   * This source, but each split emits no sequence number from {@code holdFrom} on until {@link
   * #open}{@code (gate)} is called (in this JVM): the job keeps running and checkpointing with
   * nothing to read, so a test can act at a known point of the input.
   */
  SequencedKeySource heldAt(long holdFrom, String gate) {
    OPEN_GATES.remove(gate);
    return new SequencedKeySource(total, keys, splits, split, elementsPerSecond, gate, holdFrom);
  }

  /** Lets the sources held by {@code gate} go on. */
  static void open(String gate) {
    OPEN_GATES.add(gate);
  }

  static String keyOf(long seq, int keys) {
    return "k" + (seq % keys);
  }

  @Override
  public List<SequencedKeySource> split(int desiredNumSplits, PipelineOptions options) {
    // Always the same splits, whatever the runner asks for: a restore must find the same ones.
    List<SequencedKeySource> result = new ArrayList<>();
    for (int i = 0; i < splits; i++) {
      result.add(
          new SequencedKeySource(total, keys, splits, i, elementsPerSecond, gate, holdFrom));
    }
    return result;
  }

  @Override
  public Reader createReader(PipelineOptions options, @Nullable Mark mark) {
    if (split < 0) {
      throw new IllegalStateException("read a split, not the whole source");
    }
    return new Reader(this, mark == null ? split : mark.next);
  }

  @Override
  public Coder<Mark> getCheckpointMarkCoder() {
    return MarkCoder.INSTANCE;
  }

  @Override
  public Coder<KV<String, Long>> getOutputCoder() {
    return KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
  }

  /** The next sequence number a split emits. */
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

  final class Reader extends UnboundedSource.UnboundedReader<KV<String, Long>> {
    private final SequencedKeySource source;
    private final double perMilli;
    private final long startedAtMillis = System.currentTimeMillis();
    private long next;
    private long emittedHere;
    private long current = -1;

    Reader(SequencedKeySource source, long next) {
      this.source = source;
      this.next = next;
      this.perMilli = elementsPerSecond / 1000.0 / splits;
    }

    @Override
    public boolean start() {
      return advance();
    }

    @Override
    public boolean advance() {
      if (next >= total) {
        current = -1;
        return false;
      }
      if (gate != null && next >= holdFrom && !OPEN_GATES.contains(gate)) {
        current = -1;
        return false;
      }
      long allowed = (long) ((System.currentTimeMillis() - startedAtMillis + 1) * perMilli) + 1;
      if (emittedHere >= allowed) {
        current = -1;
        return false;
      }
      current = next;
      next += splits;
      emittedHere++;
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
    public SequencedKeySource getCurrentSource() {
      return source;
    }

    @Override
    public void close() {}
  }
}
