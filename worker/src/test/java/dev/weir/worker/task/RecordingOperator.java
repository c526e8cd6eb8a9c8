package dev.weir.worker.task;

import dev.weir.worker.operators.OperatorContext;
import dev.weir.worker.operators.StageOperator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/** An operator that writes each call it gets, with its name, to a log shared by a chain. */
class RecordingOperator implements StageOperator {
  private final String name;
  private final List<String> log;
  Instant hold = BoundedWindow.TIMESTAMP_MAX_VALUE;
  @Nullable Instant nextProcessingTimer;
  @Nullable Instant nextSynchronizedTimer;
  @Nullable RuntimeException failOnClose;
  // What snapshotState returns.
  Map<String, byte[]> entries = Map.of();

  RecordingOperator(String name, List<String> log) {
    this.name = name;
    this.log = log;
  }

  String name() {
    return name;
  }

  @Override
  public void open(OperatorContext context) {}

  @Override
  public void processElement(WindowedValue<?> element) {
    log.add(name + " element " + element.getValue());
  }

  @Override
  public void processSideInput(PCollectionView<?> view, WindowedValue<?> element) {
    log.add(name + " side input " + element.getValue());
  }

  @Override
  public void advanceSideInputWatermark(PCollectionView<?> view, Instant watermark) {
    log.add(name + " side input watermark " + watermark.getMillis());
  }

  @Override
  public void advanceInputWatermark(Instant watermark) {
    log.add(name + " watermark " + watermark.getMillis());
  }

  @Override
  public void advanceProcessingTime(Instant now) {
    log.add(name + " processing time " + now.getMillis());
  }

  @Override
  public void advanceSynchronizedProcessingTime(Instant time) {
    log.add(name + " synchronized time " + time.getMillis());
  }

  @Override
  public @Nullable Instant nextProcessingTimer() {
    return nextProcessingTimer;
  }

  @Override
  public @Nullable Instant nextSynchronizedProcessingTimer() {
    return nextSynchronizedTimer;
  }

  @Override
  public void finishBundle() {
    log.add(name + " finish bundle");
  }

  @Override
  public Instant watermarkHold() {
    return hold;
  }

  @Override
  public Map<String, byte[]> snapshotState(long checkpointId) {
    log.add(name + " snapshot " + checkpointId);
    return entries;
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    log.add(
        name + " checkpoint complete " + checkpointId + " on " + Thread.currentThread().getName());
  }

  @Override
  public void close() {
    log.add(name + " close");
    if (failOnClose != null) {
      throw failOnClose;
    }
  }
}
