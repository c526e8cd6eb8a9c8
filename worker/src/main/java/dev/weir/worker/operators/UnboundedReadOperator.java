package dev.weir.worker.operators;

import dev.weir.translation.UnboundedReadPlan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.io.UnboundedSource.CheckpointMark;
import org.apache.beam.sdk.io.UnboundedSource.UnboundedReader;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.ValueWithRecordId;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Reads this subtask's share of an unbounded source's splits in a loop: a few elements from each
 * reader in turn, then the minimum of the readers' watermarks as the output watermark, ending a
 * bundle at least every few milliseconds so output is not held back. It runs until every reader's
 * watermark is at the end of time, or the job is cancelled; a bounded read (see {@link
 * ReadBounds}) also stops each reader at its bounds, and emits each element with its record id.
 *
 * <p>Its position is the readers' checkpoint marks, taken once per bundle after the bundle's last
 * element went to the output: {@link #currentPosition} reports them during {@link
 * SourceControl#endBundleOfSource}, and an operator given that position starts each split's reader
 * from its mark. The marks of a bundle are finalized after the bundle has ended.
 */
public final class UnboundedReadOperator implements StageOperator {
  private static final int MAX_PER_READER_TURN = 1_000;
  private static final long BUNDLE_MILLIS = 5;
  private static final long IDLE_SLEEP_MILLIS = 1;

  private final UnboundedReadPlan plan;
  private final @Nullable UnboundedSourcePosition restored;
  private OperatorContext context;
  private ElementReceiver output;
  private final List<UnboundedReader<Object>> readers = new ArrayList<>();
  // Per reader: the index of its split among the source's splits, and its split's mark coder.
  private final List<Integer> splitIndexes = new ArrayList<>();
  private final List<Coder<CheckpointMark>> markCoders = new ArrayList<>();
  private int splitCount;
  // The marks of the bundle being ended; set only while SourceControl.endBundleOfSource runs.
  private @Nullable List<CheckpointMark> marksAtBoundary;

  /** Reads from the start of every split. */
  public UnboundedReadOperator(UnboundedReadPlan plan) {
    this(plan, null);
  }

  /**
   * Reads on from {@code restored}, a position an operator of the same source at the same
   * parallelism and subtask index reported; {@code null} reads from the start of every split.
   */
  public UnboundedReadOperator(UnboundedReadPlan plan, @Nullable UnboundedSourcePosition restored) {
    this.plan = plan;
    this.restored = restored;
  }

  @Override
  public void open(OperatorContext context) {
    this.context = context;
    this.output = context.outputs().values().iterator().next();
  }

  @Override
  @SuppressWarnings("unchecked")
  public void start(SourceControl control) {
    try (AutoCloseable scope =
        MetricsEnvironment.scopedMetricsContainer(context.metricsContainer())) {
      // A restored position only fits if split() gives the same splits again.
      List<? extends UnboundedSource<?, ?>> splits =
          plan.source()
              .split(plan.desiredSplits(context.parallelism()), context.pipelineOptions());
      splitCount = splits.size();
      for (int i = context.subtaskIndex(); i < splits.size(); i += context.parallelism()) {
        splitIndexes.add(i);
      }
      if (restored != null) {
        checkFits(restored);
      }
      for (int i : splitIndexes) {
        UnboundedSource<Object, CheckpointMark> split =
            (UnboundedSource<Object, CheckpointMark>) splits.get(i);
        Coder<CheckpointMark> markCoder = split.getCheckpointMarkCoder();
        CheckpointMark mark = restored == null ? null : decodeMark(restored, markCoder, i);
        markCoders.add(markCoder);
        readers.add(split.createReader(context.pipelineOptions(), mark));
      }
      read(control);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Reading " + plan.name() + " was cancelled", e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("Reading " + plan.name() + " failed", e);
    }
  }

  private void read(SourceControl control) throws IOException, InterruptedException {
    boolean[] started = new boolean[readers.size()];
    ReadBounds bounds = new ReadBounds(plan, splitIndexes, splitCount);
    Instant emitted = BoundedWindow.TIMESTAMP_MIN_VALUE;
    long bundleStart = System.currentTimeMillis();
    while (true) {
      boolean any = false;
      for (int r = 0; r < readers.size(); r++) {
        if (bounds.reached(r, System.currentTimeMillis())) {
          continue;
        }
        UnboundedReader<Object> reader = readers.get(r);
        boolean available;
        if (started[r]) {
          available = reader.advance();
        } else {
          bounds.started(r, System.currentTimeMillis());
          available = reader.start();
          started[r] = true;
        }
        for (int n = 0; available; n++) {
          Object value =
              plan.bounded()
                  ? new ValueWithRecordId<>(reader.getCurrent(), reader.getCurrentRecordId())
                  : reader.getCurrent();
          output.accept(
              WindowedValues.timestampedValueInGlobalWindow(value, reader.getCurrentTimestamp()));
          any = true;
          if (!bounds.read(r) || n + 1 == MAX_PER_READER_TURN) {
            break;
          }
          available = reader.advance();
        }
      }
      Instant watermark = BoundedWindow.TIMESTAMP_MAX_VALUE;
      for (int r = 0; r < readers.size(); r++) {
        Instant w = readers.get(r).getWatermark();
        if (!bounds.reached(r, System.currentTimeMillis()) && w.isBefore(watermark)) {
          watermark = w;
        }
      }
      if (!watermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
        // Every reader is done, or at its bounds: end the last bundle so its marks are finalized
        // and a final position is reported, then end the output.
        endBundle(control);
        control.advanceWatermark(watermark);
        return;
      }
      if (watermark.isAfter(emitted)) {
        emitted = watermark;
        control.advanceWatermark(watermark);
      }
      long now = System.currentTimeMillis();
      if (now - bundleStart >= BUNDLE_MILLIS || !any) {
        bundleStart = now;
        endBundle(control);
      }
      if (!any) {
        Thread.sleep(IDLE_SLEEP_MILLIS);
      }
    }
  }

  private void endBundle(SourceControl control) throws IOException, InterruptedException {
    // Taken once per bundle: a reader may track each mark it hands out until the mark is
    // finalized (Pub/Sub counts them), so the reported mark must be the finalized one.
    List<CheckpointMark> marks = new ArrayList<>(readers.size());
    for (UnboundedReader<Object> reader : readers) {
      marks.add(reader.getCheckpointMark());
    }
    marksAtBoundary = marks;
    try {
      control.endBundleOfSource();
    } finally {
      marksAtBoundary = null;
    }
    for (CheckpointMark mark : marks) {
      // Nothing is replayed yet (checkpoints are a later issue): what is read is consumed.
      // With checkpoints, a mark is finalized once a completed checkpoint holds it.
      mark.finalizeCheckpoint();
    }
  }

  /**
   * The readers' position after the bundle that is ending: everything emitted before it is behind
   * the position, nothing after it. Only a bundle boundary has one, so call it from {@link
   * SourceControl#endBundleOfSource}, on the subtask's thread.
   */
  public UnboundedSourcePosition currentPosition() {
    List<CheckpointMark> marks = marksAtBoundary;
    if (marks == null) {
      throw new IllegalStateException(
          "Reading "
              + describeSource()
              + " has a position only at a bundle boundary, while its bundle is being ended");
    }
    Map<Integer, byte[]> encoded = new LinkedHashMap<>();
    for (int r = 0; r < marks.size(); r++) {
      try {
        encoded.put(
            splitIndexes.get(r), CoderUtils.encodeToByteArray(markCoders.get(r), marks.get(r)));
      } catch (CoderException | RuntimeException e) {
        throw new IllegalStateException(
            "Cannot encode the checkpoint mark of split "
                + splitIndexes.get(r)
                + " of "
                + describeSource()
                + " with "
                + markCoders.get(r),
            e);
      }
    }
    return new UnboundedSourcePosition(splitCount, encoded);
  }

  private void checkFits(UnboundedSourcePosition position) {
    if (position.splitCount() != splitCount) {
      throw new IllegalStateException(
          "Cannot restore "
              + describeSource()
              + ": its position was taken when the source had "
              + position.splitCount()
              + " splits, but at parallelism "
              + context.parallelism()
              + " it now splits into "
              + splitCount
              + "; restoring needs the same splits");
    }
    if (!position.splitIndexes().equals(splitIndexes)) {
      throw new IllegalStateException(
          "Cannot restore "
              + describeSource()
              + ": its position holds the marks of splits "
              + position.splitIndexes()
              + ", but subtask "
              + context.subtaskIndex()
              + " of "
              + context.parallelism()
              + " reads splits "
              + splitIndexes);
    }
  }

  private CheckpointMark decodeMark(
      UnboundedSourcePosition position, Coder<CheckpointMark> coder, int splitIndex) {
    try {
      return CoderUtils.decodeFromByteArray(coder, position.mark(splitIndex));
    } catch (CoderException | RuntimeException e) {
      // A user coder may fail on foreign bytes with any exception; say which mark it was.
      throw new IllegalStateException(
          "Cannot restore "
              + describeSource()
              + ": the checkpoint mark of split "
              + splitIndex
              + " does not decode with "
              + coder,
          e);
    }
  }

  /** The step's name and the source's class, e.g. {@code 'Read(Kafka)' (KafkaUnboundedSource)}. */
  private String describeSource() {
    Class<?> sourceClass = plan.source().getClass();
    String className =
        sourceClass.getSimpleName().isEmpty() ? sourceClass.getName() : sourceClass.getSimpleName();
    return "'" + plan.name() + "' (" + className + ")";
  }

  @Override
  public void processElement(WindowedValue<?> element) {
    throw new IllegalStateException("An unbounded read has no input");
  }

  @Override
  public void close() {
    for (UnboundedReader<Object> reader : readers) {
      try {
        reader.close();
      } catch (IOException e) {
        // Closing is best effort; the job is ending anyway.
      }
    }
    readers.clear();
  }
}
