package dev.weir.benchmarks.recovery;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.DelegateCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.joda.time.Instant;

/**
 * Sequence numbers {@code first, first + stride, ...}: those below {@code fill} as fast as they are
 * read (every key gets its value, the state grows to full size), the rest at {@code perSecond}, so
 * checkpoints stay small and the job keeps producing output. When the next number is not due yet
 * the reader says so, which ends the runner's read turn: outputs are not held back behind a wait.
 * Its checkpoint mark is the next number to emit.
 */
final class FillThenTrickleSource extends UnboundedSource<Long, FillThenTrickleSource.Position> {
  private final long first;
  private final long stride;
  private final long fill;
  private final int perSecond;

  FillThenTrickleSource(long fill, int perSecond) {
    this(0, 1, fill, perSecond);
  }

  private FillThenTrickleSource(long first, long stride, long fill, int perSecond) {
    this.first = first;
    this.stride = stride;
    this.fill = fill;
    this.perSecond = perSecond;
  }

  /** Where a split's reader is: the next number it emits. */
  static final class Position implements UnboundedSource.CheckpointMark {
    final long next;

    Position(long next) {
      this.next = next;
    }

    @Override
    public void finalizeCheckpoint() {}
  }

  @Override
  public List<FillThenTrickleSource> split(int desiredNumSplits, PipelineOptions options) {
    int n = Math.max(1, desiredNumSplits);
    List<FillThenTrickleSource> splits = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      splits.add(new FillThenTrickleSource(first + i * stride, stride * n, fill, perSecond));
    }
    return splits;
  }

  @Override
  public UnboundedReader<Long> createReader(PipelineOptions options, Position mark) {
    return new Reader(mark == null ? first : mark.next);
  }

  @Override
  public Coder<Position> getCheckpointMarkCoder() {
    return DelegateCoder.of(VarLongCoder.of(), p -> p.next, Position::new);
  }

  @Override
  public Coder<Long> getOutputCoder() {
    return VarLongCoder.of();
  }

  private final class Reader extends UnboundedReader<Long> {
    private final long periodNanos = 1_000_000_000L / Math.max(1, perSecond);
    private long next;
    private long current = -1;
    private long dueNanos = System.nanoTime();

    Reader(long next) {
      this.next = next;
    }

    @Override
    public boolean start() {
      return advance();
    }

    @Override
    public boolean advance() {
      if (next >= fill) {
        long now = System.nanoTime();
        if (now - dueNanos < 0) {
          return false;
        }
        // Not catching up on a long pause: one element per period from now on.
        dueNanos = Math.max(dueNanos + periodNanos, now);
      }
      current = next;
      next += stride;
      return true;
    }

    @Override
    public Long getCurrent() {
      if (current < 0) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public Instant getCurrentTimestamp() {
      return Instant.now();
    }

    @Override
    public void close() {}

    @Override
    public Instant getWatermark() {
      return Instant.now();
    }

    @Override
    public Position getCheckpointMark() {
      return new Position(next);
    }

    @Override
    public FillThenTrickleSource getCurrentSource() {
      return FillThenTrickleSource.this;
    }
  }
}
