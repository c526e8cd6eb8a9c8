package dev.weir.worker.operators;

import dev.weir.translation.UnboundedReadPlan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads this subtask's share of an unbounded source's splits in a loop: a few elements from each
 * reader in turn, then the minimum of the readers' watermarks as the output watermark, ending a
 * bundle at least every few milliseconds (also while no reader has data) so output is not held back
 * and a checkpoint can enter. It runs until every split is finished (its reader's watermark is at
 * the end of time, or a bounded read, see {@link ReadBounds}, reached its bounds), or the job is
 * cancelled; a bounded read also emits each element with its record id.
 *
 * <p>Split {@code i} of the source's splits is read by subtask {@code i mod parallelism}. A fresh
 * start asks the source for {@link UnboundedReadPlan#desiredSplits} splits; a restore asks for the
 * number the checkpoint's splits were asked for, whatever the parallelism is now, so a source that
 * splits deterministically gives the same splits again and a restore may change the parallelism. If
 * the source then gives another number of splits, the restore fails.
 *
 * <p>{@link #snapshotState} returns one {@link UnboundedSplitPosition} per split this subtask
 * reads, named {@link UnboundedSplitPosition#entryName}; an operator whose context has {@link
 * OperatorContext#restoredEntries} takes the positions of the splits it now owns, whichever subtask
 * took them, and starts each reader from its mark. A finished split stays finished; a split without
 * a position in a restore was read by a subtask that had finished before the checkpoint, so it is
 * finished too.
 *
 * <p>When marks are finalized: with {@link OperatorContext#checkpointingEnabled checkpoints}, a
 * mark is taken only for a checkpoint and finalized once that checkpoint, or a later one, has
 * completed ({@link #notifyCheckpointComplete}), because before then what was read may still be
 * replayed. Without checkpoints nothing is replayed, so the marks of each bundle are finalized
 * after the bundle has ended. A read that reaches its end with checkpoints ends only once a
 * checkpoint taken after the end has completed (as Flink keeps a finished task for a final
 * checkpoint), so the last marks, too, are finalized only when nothing will read them again.
 */
public final class UnboundedReadOperator implements StageOperator {
  private static final Logger LOG = LoggerFactory.getLogger(UnboundedReadOperator.class);
  private static final int MAX_PER_READER_TURN = 1_000;
  private static final long BUNDLE_MILLIS = 5;
  private static final long IDLE_SLEEP_MILLIS = 1;

  /**
   * Checkpoints taken after the end that may be aborted before the read ends without one: a job
   * whose checkpoints cannot complete (a subtask declines every one) would otherwise never end.
   */
  static final int ABORTS_AFTER_THE_END = 3;

  private final UnboundedReadPlan plan;
  private OperatorContext context;
  private ElementReceiver output;
  private final List<OwnedSplit> splits = new ArrayList<>();
  // -1 until start() has split the source.
  private int splitCount = -1;
  private int desiredSplits;
  private ReadBounds bounds;
  // With checkpoints: the marks taken for checkpoints not yet known complete.
  private final PendingMarks pendingMarks = new PendingMarks();
  // With checkpoints, once every split has finished: the first checkpoint taken since (-1: none
  // yet), and whether one such has completed, which ends the read.
  private boolean reachedTheEnd;
  private long checkpointAfterTheEnd = -1;
  private boolean endCovered;
  private int abortedAfterTheEnd;
  // Without checkpoints: the marks of the bundle being ended, set only while it is being ended.
  private @Nullable List<@Nullable CheckpointMark> marksAtBoundary;

  /** One split this subtask reads. */
  private static final class OwnedSplit {
    final int index;
    final Coder<CheckpointMark> markCoder;
    // Null for a split that was finished when it was restored: it is read no more.
    final @Nullable UnboundedReader<Object> reader;
    // The mark it was restored from, as bytes: its position until its reader has started.
    final byte @Nullable [] restoredMark;
    boolean started;
    boolean finished;

    OwnedSplit(
        int index,
        Coder<CheckpointMark> markCoder,
        @Nullable UnboundedReader<Object> reader,
        byte @Nullable [] restoredMark) {
      this.index = index;
      this.markCoder = markCoder;
      this.reader = reader;
      this.restoredMark = restoredMark;
      this.finished = reader == null;
    }
  }

  public UnboundedReadOperator(UnboundedReadPlan plan) {
    this.plan = plan;
  }

  @Override
  public void open(OperatorContext context) {
    this.context = context;
    this.output = context.outputs().values().iterator().next();
  }

  @Override
  public void start(SourceControl control) {
    try (AutoCloseable scope =
        MetricsEnvironment.scopedMetricsContainer(context.metricsContainer())) {
      createReaders();
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

  @SuppressWarnings("unchecked")
  private void createReaders() throws Exception {
    boolean restoring = !context.restoredEntries().isEmpty();
    Map<Integer, UnboundedSplitPosition> restored = restoredPositions();
    UnboundedSplitPosition any = restored.isEmpty() ? null : restored.values().iterator().next();
    desiredSplits = any == null ? plan.desiredSplits(context.parallelism()) : any.desiredSplits();
    List<? extends UnboundedSource<?, ?>> sources =
        plan.source().split(desiredSplits, context.pipelineOptions());
    splitCount = sources.size();
    if (any != null && any.splitCount() != splitCount) {
      throw new IllegalStateException(
          "Cannot restore "
              + describeSource()
              + ": asked for "
              + desiredSplits
              + " splits, the source gave "
              + any.splitCount()
              + " when its checkpoint was taken, but now splits into "
              + splitCount
              + "; restoring needs the same splits");
    }
    List<Integer> indexes = new ArrayList<>();
    for (int i = context.subtaskIndex(); i < splitCount; i += context.parallelism()) {
      indexes.add(i);
      UnboundedSource<Object, CheckpointMark> source =
          (UnboundedSource<Object, CheckpointMark>) sources.get(i);
      Coder<CheckpointMark> markCoder = source.getCheckpointMarkCoder();
      UnboundedSplitPosition position = restored.get(i);
      byte[] markBytes = position == null ? null : position.mark();
      boolean finished = restoring && (position == null || position.finished());
      UnboundedReader<Object> reader = null;
      if (!finished) {
        CheckpointMark mark = markBytes == null ? null : decodeMark(markCoder, markBytes, i);
        reader = source.createReader(context.pipelineOptions(), mark);
      }
      splits.add(new OwnedSplit(i, markCoder, reader, markBytes));
    }
    bounds = new ReadBounds(plan, indexes, splitCount);
    for (int r = 0; r < splits.size(); r++) {
      UnboundedSplitPosition position = restored.get(splits.get(r).index);
      if (position != null) {
        bounds.resume(r, position.recordsRead(), position.millisRead());
      }
    }
  }

  /** The restored positions of all the source's splits, checked to be of one splitting. */
  private Map<Integer, UnboundedSplitPosition> restoredPositions() {
    Map<Integer, UnboundedSplitPosition> positions = new TreeMap<>();
    for (Map.Entry<String, byte[]> entry : context.restoredEntries().entrySet()) {
      if (!UnboundedSplitPosition.isEntryName(entry.getKey())) {
        continue;
      }
      UnboundedSplitPosition position;
      try {
        position = UnboundedSplitPosition.fromBytes(entry.getValue());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(
            "Cannot restore " + describeSource() + " from entry " + entry.getKey(), e);
      }
      UnboundedSplitPosition other =
          positions.isEmpty() ? null : positions.values().iterator().next();
      if (other != null
          && (other.splitCount() != position.splitCount()
              || other.desiredSplits() != position.desiredSplits())) {
        throw new IllegalStateException(
            "Cannot restore "
                + describeSource()
                + ": its entries are of different splittings, "
                + other
                + " and "
                + position);
      }
      if (!entry.getKey().equals(UnboundedSplitPosition.entryName(position.splitIndex()))) {
        throw new IllegalStateException(
            "Cannot restore "
                + describeSource()
                + ": entry "
                + entry.getKey()
                + " holds the position of split "
                + position.splitIndex());
      }
      positions.put(position.splitIndex(), position);
    }
    return positions;
  }

  private void read(SourceControl control) throws IOException, InterruptedException {
    Instant emitted = BoundedWindow.TIMESTAMP_MIN_VALUE;
    long bundleStart = System.currentTimeMillis();
    while (true) {
      boolean any = false;
      for (int r = 0; r < splits.size(); r++) {
        OwnedSplit split = splits.get(r);
        if (split.finished || bounds.reached(r, System.currentTimeMillis())) {
          continue;
        }
        UnboundedReader<Object> reader = split.reader;
        boolean available;
        if (split.started) {
          available = reader.advance();
        } else {
          bounds.started(r, System.currentTimeMillis());
          available = reader.start();
          split.started = true;
        }
        // After this loop the reader stands right after the last element it emitted, so a mark
        // taken at any point outside it covers exactly what went to the output.
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
      for (int r = 0; r < splits.size(); r++) {
        OwnedSplit split = splits.get(r);
        if (split.finished) {
          continue;
        }
        if (bounds.reached(r, System.currentTimeMillis())) {
          split.finished = true;
          continue;
        }
        Instant w = split.reader.getWatermark();
        if (!w.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
          // Nothing more will come from it: a checkpoint records it as finished.
          split.finished = true;
        } else if (w.isBefore(watermark)) {
          watermark = w;
        }
      }
      if (!watermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
        // Every split is finished: end the last bundle, finalize its marks, end the output.
        endBundle(control);
        if (context.checkpointingEnabled()) {
          awaitCheckpointAfterTheEnd(control);
        }
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
    if (context.checkpointingEnabled()) {
      // Marks are taken for checkpoints only: a reader may track each mark it hands out until the
      // mark is finalized (Pub/Sub collects the ids to acknowledge in it), so a mark taken here
      // and never finalized would leave messages unacknowledged.
      control.endBundleOfSource();
      return;
    }
    // Taken once per bundle, for the same reason: the marks a snapshot reports during the
    // boundary are these, the ones finalized.
    List<CheckpointMark> marks = takeMarks();
    marksAtBoundary = marks;
    try {
      control.endBundleOfSource();
    } finally {
      marksAtBoundary = null;
    }
    PendingMarks.finalize(marks);
  }

  /**
   * The end of the input with checkpoints: the subtask stays, ending (empty) bundles so that
   * checkpoints enter, until one taken after the end has completed; its completion finalizes the
   * marks still pending and the readers' last marks. Finalizing them at the end itself would be too
   * early: until a checkpoint covers what was read last, a failure restores an older one and reads
   * it again, and the source was told it is consumed (acknowledged, committed). The output
   * watermark stays where it is meanwhile, so downstream subtasks also stay and that checkpoint
   * covers their effects of this input too.
   */
  private void awaitCheckpointAfterTheEnd(SourceControl control) throws InterruptedException {
    reachedTheEnd = true;
    while (!endCovered) {
      // A checkpoint's trigger and completion reach the operator here.
      control.endBundleOfSource();
      if (!endCovered) {
        Thread.sleep(IDLE_SLEEP_MILLIS);
      }
    }
  }

  /** The current mark of each split's reader, null for a reader that has not started. */
  private List<@Nullable CheckpointMark> takeMarks() {
    List<@Nullable CheckpointMark> marks = new ArrayList<>(splits.size());
    for (OwnedSplit split : splits) {
      marks.add(split.started ? split.reader.getCheckpointMark() : null);
    }
    return marks;
  }

  /**
   * The position of each split this subtask reads, after everything emitted so far: an entry {@code
   * split-<i>} per split. Called at a bundle boundary, on the subtask's thread; with checkpoints,
   * the marks are kept until {@link #notifyCheckpointComplete} finalizes them.
   */
  @Override
  public Map<String, byte[]> snapshotState(long checkpointId) {
    if (splitCount < 0) {
      throw new IllegalStateException(
          "Reading " + describeSource() + " has no position before it has started");
    }
    List<@Nullable CheckpointMark> marks = marksAtBoundary != null ? marksAtBoundary : takeMarks();
    Map<String, byte[]> entries = new LinkedHashMap<>();
    long now = System.currentTimeMillis();
    for (int r = 0; r < splits.size(); r++) {
      OwnedSplit split = splits.get(r);
      CheckpointMark mark = marks.get(r);
      byte[] markBytes = mark == null ? split.restoredMark : encodeMark(split, mark);
      UnboundedSplitPosition position =
          new UnboundedSplitPosition(
              desiredSplits,
              splitCount,
              split.index,
              split.finished,
              bounds.recordsRead(r),
              bounds.millisRead(r, now),
              markBytes);
      entries.put(UnboundedSplitPosition.entryName(split.index), position.toBytes());
    }
    if (context.checkpointingEnabled()) {
      pendingMarks.taken(checkpointId, marks);
      if (reachedTheEnd && checkpointAfterTheEnd < 0) {
        checkpointAfterTheEnd = checkpointId;
      }
    }
    return entries;
  }

  /**
   * Finalizes the marks of checkpoint {@code checkpointId} and of older ones still pending (see
   * {@link PendingMarks}).
   */
  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    try (AutoCloseable scope =
        MetricsEnvironment.scopedMetricsContainer(context.metricsContainer())) {
      pendingMarks.completed(checkpointId);
      if (checkpointAfterTheEnd >= 0 && checkpointId >= checkpointAfterTheEnd) {
        endCovered = true;
      }
    } catch (Exception e) {
      throw new IllegalStateException(
          "Finalizing the checkpoint marks of "
              + describeSource()
              + " after checkpoint "
              + checkpointId
              + " failed",
          e);
    }
  }

  /**
   * After the end, a checkpoint taken since was aborted; after {@value #ABORTS_AFTER_THE_END} of
   * them the read ends anyway, finalizing its pending marks as a job without checkpoints does at
   * its end.
   */
  @Override
  public void notifyCheckpointAborted(long checkpointId) {
    if (checkpointAfterTheEnd < 0
        || checkpointId < checkpointAfterTheEnd
        || ++abortedAfterTheEnd < ABORTS_AFTER_THE_END) {
      return;
    }
    LOG.warn(
        "Reading {} ended, and {} checkpoints taken since were aborted; ending without one",
        describeSource(),
        abortedAfterTheEnd);
    notifyCheckpointComplete(Long.MAX_VALUE);
  }

  private byte[] encodeMark(OwnedSplit split, CheckpointMark mark) {
    try {
      return CoderUtils.encodeToByteArray(split.markCoder, mark);
    } catch (CoderException | RuntimeException e) {
      throw new IllegalStateException(
          "Cannot encode the checkpoint mark of split "
              + split.index
              + " of "
              + describeSource()
              + " with "
              + split.markCoder,
          e);
    }
  }

  private CheckpointMark decodeMark(Coder<CheckpointMark> coder, byte[] bytes, int splitIndex) {
    try {
      return CoderUtils.decodeFromByteArray(coder, bytes);
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
    for (OwnedSplit split : splits) {
      if (split.reader == null) {
        continue;
      }
      try {
        split.reader.close();
      } catch (IOException e) {
        // Closing is best effort; the job is ending anyway.
      }
    }
    splits.clear();
  }
}
