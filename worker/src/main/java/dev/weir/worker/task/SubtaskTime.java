package dev.weir.worker.task;

import dev.weir.worker.exchange.ChannelEvent;
import java.util.function.Supplier;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * A subtask's time: its input and output watermarks, its processing time (the wall clock, or on a
 * test clock the minimum over the open input channels, like a watermark) and its synchronized
 * processing time, and what moving each means for the operators and downstream.
 *
 * <p>After each input watermark advance the operators fire their timers in topological order (see
 * {@link OperatorChain#advanceInputWatermark}); the subtask then ends the bundle and forwards the
 * minimum over everything. Data before a time advance goes downstream before the timers it fires
 * run, which may take long. Only the subtask's thread moves time; the watermarks are read by other
 * threads for progress reports.
 */
final class SubtaskTime {
  // After every timer of the synchronized domain, even one set at the end of time.
  private static final Instant END_OF_SYNCHRONIZED_TIME = BoundedWindow.TIMESTAMP_MAX_VALUE.plus(1);

  private final boolean testClock;
  private final Supplier<Instant> clock;
  private final OperatorChain chain;
  private final SubtaskOutputs outputs;
  private final CurrentBundle bundle;
  private final InputChannels channels;
  private final SynchronizedProcessingTime synchronizedTime;

  private volatile Instant inputWatermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private volatile Instant outputWatermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  // Only on a test clock.
  private Instant processingTime = BoundedWindow.TIMESTAMP_MIN_VALUE;

  SubtaskTime(
      boolean testClock,
      Supplier<Instant> clock,
      OperatorChain chain,
      SubtaskOutputs outputs,
      CurrentBundle bundle,
      InputChannels channels) {
    this.testClock = testClock;
    this.clock = clock;
    this.chain = chain;
    this.outputs = outputs;
    this.bundle = bundle;
    this.channels = channels;
    // On the wall clock: what every upstream subtask has reached (a source: its own clock).
    this.synchronizedTime = new SynchronizedProcessingTime(channels.size());
  }

  boolean testClock() {
    return testClock;
  }

  Instant inputWatermark() {
    return inputWatermark;
  }

  Instant outputWatermark() {
    return outputWatermark;
  }

  SynchronizedProcessingTime synchronizedTime() {
    return synchronizedTime;
  }

  /** The processing time the operators see. */
  Supplier<Instant> operatorProcessingTime() {
    return testClock ? () -> processingTime : clock;
  }

  /** The synchronized processing time the operators see. */
  Supplier<Instant> operatorSynchronizedProcessingTime() {
    return testClock ? () -> processingTime : synchronizedTime::current;
  }

  /** The input watermark may have moved to {@code watermark}: if so, fires timers and forwards. */
  void advanceInputWatermark(Instant watermark) throws InterruptedException {
    if (watermark.isAfter(inputWatermark)) {
      inputWatermark = watermark;
      propagateWatermark();
    }
  }

  /** All input ended: the input watermark is at the end of time. */
  void endInputWatermark() throws InterruptedException {
    inputWatermark = BoundedWindow.TIMESTAMP_MAX_VALUE;
    propagateWatermark();
  }

  /** Fires timers up to the input watermark and forwards the new output watermark. */
  void propagateWatermark() throws InterruptedException {
    // Data before the watermark goes downstream before timers run, which may take long.
    bundle.end();
    releaseSynchronizedTimeAtEnd();
    Instant running = chain.advanceInputWatermark(inputWatermark);
    bundle.end();
    for (int i = 0; i < channels.size(); i++) {
      if (!channels.watermark(i).isAfter(inputWatermark)) {
        synchronizedTime.watermarkProcessed(i);
      }
    }
    if (running.isAfter(outputWatermark)) {
      outputWatermark = running;
      outputs.send(new ChannelEvent.Watermark(running.getMillis()));
    }
  }

  /**
   * Ends the output: the watermark at the end of time if not sent yet, then the end of input.
   * Call once, after the last bundle ended.
   */
  void endOutput() throws InterruptedException {
    outputs.end(!outputWatermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE));
    outputWatermark = BoundedWindow.TIMESTAMP_MAX_VALUE;
  }

  /** On a test clock: the open input channels' processing time may have moved. */
  void testClockChanged() throws InterruptedException {
    Instant min = channels.testClockTime();
    if (min != null && min.isAfter(processingTime)) {
      setProcessingTime(min);
    }
  }

  /** On a test clock: a source moves processing time to {@code time}, if that is later. */
  void advanceTestClock(Instant time) throws InterruptedException {
    if (!testClock) {
      throw new IllegalStateException("Only a test clock can be moved by a source");
    }
    if (time.isAfter(processingTime)) {
      setProcessingTime(time);
    }
  }

  private void setProcessingTime(Instant time) throws InterruptedException {
    bundle.end();
    processingTime = time;
    chain.advanceTestClock(time);
    bundle.end();
    outputs.send(new ChannelEvent.ProcessingTime(time.getMillis()));
  }

  /** On the wall clock: processing time moved to {@code now}; fires the timers it passed. */
  void advanceWallClock(Instant now) throws InterruptedException {
    chain.advanceProcessingTime(now);
    advanceSynchronizedTime(now);
  }

  /**
   * On the wall clock, after processing time moved to {@code now}: fires the synchronized timers
   * that the inputs' synchronized time now passes, then reports this subtask's synchronized time
   * downstream, after what those timers produced.
   */
  private void advanceSynchronizedTime(Instant now) throws InterruptedException {
    if (synchronizedTime.advance(now)) {
      Instant time = synchronizedTime.current();
      chain.advanceSynchronizedProcessingTime(time);
    }
    Instant report = synchronizedTime.toReport(chain.earliestTimerHoldingSynchronizedTime());
    if (report != null) {
      reportSynchronizedTime(report);
    }
  }

  /**
   * On the wall clock, once all input has ended: nothing upstream is left to wait for, so
   * synchronized time ends, and the continuation triggers still waiting fire (their windows have
   * had their final panes by now).
   */
  void endSynchronizedTime() throws InterruptedException {
    if (synchronizedTime.advance(END_OF_SYNCHRONIZED_TIME)) {
      chain.advanceSynchronizedProcessingTime(END_OF_SYNCHRONIZED_TIME);
      propagateWatermark();
    }
  }

  /**
   * At the end of input time (watermark at the end of time, every input channel ended or released
   * likewise, no processing-time timer pending) this subtask will never hold synchronized time back
   * again: it says so downstream before its final event-time timers run, which may take long, so
   * continuation triggers downstream are not held up by them. What those timers emit arrives after
   * the release and holds the channel again until the watermark behind it (see {@link
   * SynchronizedProcessingTime#dataFrom}).
   */
  private void releaseSynchronizedTimeAtEnd() throws InterruptedException {
    if (testClock
        || inputWatermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)
        || !synchronizedTime.inputsReleased()
        || chain.earliestTimerHoldingSynchronizedTime() != null) {
      return;
    }
    Instant release = synchronizedTime.toReport(BoundedWindow.TIMESTAMP_MAX_VALUE, null);
    if (release != null) {
      reportSynchronizedTime(release);
    }
  }

  /** Tells downstream, after its output, that the synchronized time reached {@code time}. */
  private void reportSynchronizedTime(Instant time) throws InterruptedException {
    bundle.end();
    outputs.send(new ChannelEvent.ProcessingTime(time.getMillis()));
  }
}
