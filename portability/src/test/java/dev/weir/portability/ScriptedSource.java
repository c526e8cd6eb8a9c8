package dev.weir.portability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * An unbounded source of one split that plays a script: elements {@code (key, value)} at given
 * timestamps, watermark advances, and gates where it emits nothing (its watermark standing) until
 * the test's code, in this JVM, {@linkplain #open opens} the gate. The script ends with the
 * watermark at the end of time. Its checkpoint mark is its position in the script.
 */
final class ScriptedSource extends UnboundedSource<KV<String, Long>, ScriptedSource.Position> {
  private static final Set<String> OPEN_GATES = ConcurrentHashMap.newKeySet();

  private final List<Step> steps;

  /** One step of the script. */
  static final class Step implements Serializable {
    private static final long serialVersionUID = 1L;
    final @Nullable String key;
    final long value;
    final Instant time;
    final @Nullable String gate;

    private Step(@Nullable String key, long value, Instant time, @Nullable String gate) {
      this.key = key;
      this.value = value;
      this.time = time;
      this.gate = gate;
    }

    static Step element(String key, long value, long millis) {
      return new Step(key, value, new Instant(millis), null);
    }

    static Step watermark(long millis) {
      return new Step(null, 0, new Instant(millis), null);
    }

    static Step gate(String name) {
      return new Step(null, 0, null, name);
    }
  }

  ScriptedSource(List<Step> steps) {
    this.steps = List.copyOf(steps);
  }

  static void open(String gate) {
    OPEN_GATES.add(gate);
  }

  static void reset(String gate) {
    OPEN_GATES.remove(gate);
  }

  @Override
  public List<ScriptedSource> split(int desiredNumSplits, PipelineOptions options) {
    return List.of(this);
  }

  @Override
  public UnboundedReader<KV<String, Long>> createReader(
      PipelineOptions options, @Nullable Position mark) {
    return new Reader(mark == null ? 0 : mark.next);
  }

  @Override
  public Coder<Position> getCheckpointMarkCoder() {
    return PositionCoder.INSTANCE;
  }

  @Override
  public Coder<KV<String, Long>> getOutputCoder() {
    return KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
  }

  static final class Position implements UnboundedSource.CheckpointMark {
    final int next;

    Position(int next) {
      this.next = next;
    }

    @Override
    public void finalizeCheckpoint() {}
  }

  static final class PositionCoder extends AtomicCoder<Position> {
    static final PositionCoder INSTANCE = new PositionCoder();

    @Override
    public void encode(Position value, OutputStream out) throws IOException {
      VarIntCoder.of().encode(value.next, out);
    }

    @Override
    public Position decode(InputStream in) throws IOException {
      return new Position(VarIntCoder.of().decode(in));
    }
  }

  private final class Reader extends UnboundedSource.UnboundedReader<KV<String, Long>> {
    private int next;
    private @Nullable Step current;
    private Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;

    Reader(int next) {
      this.next = next;
    }

    @Override
    public boolean start() {
      return advance();
    }

    @Override
    public boolean advance() {
      current = null;
      while (next < steps.size()) {
        Step step = steps.get(next);
        if (step.gate != null) {
          if (!OPEN_GATES.contains(step.gate)) {
            return false;
          }
        } else if (step.key == null) {
          watermark = step.time;
        } else {
          current = step;
          next++;
          return true;
        }
        next++;
      }
      watermark = BoundedWindow.TIMESTAMP_MAX_VALUE;
      return false;
    }

    @Override
    public KV<String, Long> getCurrent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return KV.of(current.key, current.value);
    }

    @Override
    public Instant getCurrentTimestamp() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current.time;
    }

    @Override
    public Instant getWatermark() {
      return watermark;
    }

    @Override
    public Position getCheckpointMark() {
      return new Position(next);
    }

    @Override
    public ScriptedSource getCurrentSource() {
      return ScriptedSource.this;
    }

    @Override
    public void close() {}
  }
}
