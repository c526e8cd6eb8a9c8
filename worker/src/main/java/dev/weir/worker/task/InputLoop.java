package dev.weir.worker.task;

import dev.weir.worker.exchange.ChannelEvent;
import dev.weir.worker.exchange.InputGate;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.beam.sdk.values.PCollectionView;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A subtask's processing loop over its input gate, until every channel has ended: hands each
 * event to its handler, ends bundles when input is idle and at intervals, and on the wall clock
 * moves processing time at intervals. Checkpoint barriers go to the {@link BarrierAlignment};
 * checkpoint outcomes that other threads left in the {@link CheckpointMailbox} are taken between
 * events.
 */
final class InputLoop {
  static final long IDLE_POLL_MILLIS = 10;
  private static final long PROCESSING_TIME_TICK_MILLIS = 5;
  private static final long FLUSH_INTERVAL_MILLIS = 10;

  private final InputGate gate;
  private final InputChannels channels;
  private final ChannelRoutes routes;
  private final OperatorChain chain;
  private final CurrentBundle bundle;
  private final SubtaskTime time;
  private final ProgressSignals progress;
  // Only on a test clock.
  private final @Nullable JobActivity activity;
  private final Supplier<Instant> clock;
  private final BarrierAlignment alignment;
  private final CheckpointMailbox mailbox;
  private final SubtaskCheckpointer checkpointer;
  // The due timer the last early tick was for: see run().
  private @Nullable Instant tickedForTimer;

  InputLoop(
      InputGate gate,
      InputChannels channels,
      ChannelRoutes routes,
      OperatorChain chain,
      CurrentBundle bundle,
      SubtaskTime time,
      ProgressSignals progress,
      @Nullable JobActivity activity,
      Supplier<Instant> clock,
      SubtaskCheckpointer checkpointer,
      CheckpointMailbox mailbox) {
    this.gate = gate;
    this.channels = channels;
    this.routes = routes;
    this.chain = chain;
    this.bundle = bundle;
    this.time = time;
    this.progress = progress;
    this.activity = activity;
    this.clock = clock;
    this.checkpointer = checkpointer;
    this.mailbox = mailbox;
    this.alignment = new BarrierAlignment(gate, channels, checkpointer);
  }

  void run() throws InterruptedException, IOException {
    long lastTick = System.currentTimeMillis();
    long lastFlush = lastTick;
    while (channels.openCount() > 0) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      mailbox.drain(checkpointer, false);
      progress.waiting();
      InputGate.GateEvent next = gate.poll(0, TimeUnit.MILLISECONDS);
      boolean timerDue = false;
      if (next == null) {
        // Idle. Wait no longer than until the earliest processing-time timer is due (a timer is
        // due once time is past it), and then tick at once: a splittable DoFn's resume after each
        // of its steps is such a timer, and waiting out the whole idle interval and the tick
        // interval left a bounded read's subtask idle between steps.
        Instant timer = time.testClock() ? null : chain.earliestProcessingTimer();
        if (timer != null && timer.equals(tickedForTimer)) {
          // Ticked for already and still there: its operator holds it back; no early tick again.
          timer = null;
        }
        long wait =
            timer == null
                ? IDLE_POLL_MILLIS
                : Math.max(
                    0,
                    Math.min(IDLE_POLL_MILLIS, timer.getMillis() + 1 - clock.get().getMillis()));
        if (wait > 0) {
          next = gate.poll(wait, TimeUnit.MILLISECONDS);
        }
        if (timer != null && timer.isBefore(clock.get())) {
          timerDue = true;
          tickedForTimer = timer;
        }
      }
      progress.working();
      if (next == null) {
        bundle.end();
        progress.nextProcessingTimer(chain.earliestProcessingTimer());
      } else {
        progress.eventHandled();
        ChannelEvent event = next.event();
        handle(next.channelIndex(), event);
        if (activity != null) {
          // Counted once its consequences (outputs, fired timers) have been sent on.
          bundle.end();
          activity.handled(
              event instanceof ChannelEvent.DataBatch
                  ? ((ChannelEvent.DataBatch) event).elementCount()
                  : 1);
        }
      }
      long now = System.currentTimeMillis();
      if (now - lastFlush >= FLUSH_INTERVAL_MILLIS) {
        // Under steady input the gate is never idle: end bundles by time too, for latency.
        lastFlush = now;
        bundle.end();
      }
      if (!time.testClock() && (timerDue || now - lastTick >= PROCESSING_TIME_TICK_MILLIS)) {
        lastTick = now;
        time.advanceWallClock(clock.get());
      }
    }
  }

  private void handle(int channel, ChannelEvent event) throws InterruptedException, IOException {
    if (event instanceof ChannelEvent.DataBatch) {
      onData(channel, (ChannelEvent.DataBatch) event);
    } else if (event instanceof ChannelEvent.Watermark) {
      onWatermark(channel, new Instant(((ChannelEvent.Watermark) event).millis()));
    } else if (event instanceof ChannelEvent.ProcessingTime) {
      onProcessingTime(channel, new Instant(((ChannelEvent.ProcessingTime) event).millis()));
    } else if (event instanceof ChannelEvent.CheckpointBarrier) {
      alignment.barrier(channel, ((ChannelEvent.CheckpointBarrier) event).checkpointId());
    } else if (event instanceof ChannelEvent.EndOfInput) {
      onEndOfInput(channel);
    }
  }

  private void onData(int channel, ChannelEvent.DataBatch batch) throws IOException {
    if (!time.testClock()) {
      time.synchronizedTime().dataFrom(channel, clock.get());
    }
    progress.dataIn(batch.elementCount(), batch.payload().length);
    routes.deliver(channel, batch);
    bundle.added(batch.elementCount());
  }

  private void onWatermark(int channel, Instant watermark) throws InterruptedException {
    time.synchronizedTime().watermarkFrom(channel);
    if (channels.watermarkReached(channel, watermark)) {
      onWatermarkChange(channel);
    }
  }

  private void onProcessingTime(int channel, Instant processingTime)
      throws InterruptedException {
    if (!time.testClock()) {
      // The producer's synchronized processing time; taken up at the next tick.
      time.synchronizedTime().channelReached(channel, processingTime);
    } else if (channels.processingTimeReached(channel, processingTime)) {
      time.testClockChanged();
    }
  }

  private void onEndOfInput(int channel) throws InterruptedException {
    if (channels.end(channel)) {
      time.synchronizedTime().channelEnded(channel);
      // Everything the channel sent is in, so a checkpoint waiting for it is taken now.
      alignment.channelEnded(channel);
      onWatermarkChange(channel);
      if (time.testClock()) {
        time.testClockChanged();
      }
    }
  }

  private void onWatermarkChange(int channel) throws InterruptedException {
    Instant sideInputWatermark = channels.sideInputWatermarkAdvanced(channel);
    if (sideInputWatermark != null) {
      PCollectionView<?> view = channels.sideInput(channel);
      chain.advanceSideInputWatermark(view, sideInputWatermark);
    }
    time.advanceInputWatermark(channels.inputWatermark());
  }
}
