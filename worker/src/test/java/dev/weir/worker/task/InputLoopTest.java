package dev.weir.worker.task;

import static org.junit.Assert.assertEquals;

import dev.weir.worker.exchange.ChannelEvent;
import dev.weir.worker.exchange.ChannelId;
import dev.weir.worker.exchange.InputGate;
import dev.weir.worker.operators.ElementReceiver;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;
import org.junit.Test;

/**
 * The input loop over a gate that hands out a fixed sequence of events, on a test clock so that no
 * wall-clock tick interleaves. Bundle ends, which the loop also makes at intervals, are left out
 * of what is compared.
 */
public class InputLoopTest {
  private static final long END = BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis();

  private final List<String> log = new ArrayList<>();
  private final OperatorChain chain = new OperatorChain();
  private final RecordingOperator operator = new RecordingOperator("op", log);
  private final Deque<InputGate.GateEvent> events = new ArrayDeque<>();

  private void run(PCollectionView<?>[] sideInputs) throws Exception {
    int n = sideInputs.length;
    SubtaskOutputs outputs = new SubtaskOutputs();
    CurrentBundle bundle = new CurrentBundle(chain, outputs);
    InputChannels channels = new InputChannels(sideInputs);
    SubtaskTime time =
        new SubtaskTime(true, () -> new Instant(0), chain, outputs, bundle, channels);
    @SuppressWarnings({"unchecked", "rawtypes"})
    Coder<WindowedValue<?>>[] coders = new Coder[n];
    ElementReceiver[] receivers = new ElementReceiver[n];
    for (int i = 0; i < n; i++) {
      coders[i] = (Coder) elementCoder();
      receivers[i] = operator::processElement;
    }
    ChannelRoutes routes = new ChannelRoutes(coders, sideInputs, receivers, chain);
    new InputLoop(
            new ScriptedGate(events),
            channels,
            routes,
            chain,
            bundle,
            time,
            new ProgressSignals(),
            null,
            () -> new Instant(0),
            new SubtaskCheckpointer(
                new TaskId("job", 0, 0),
                List.of("op"),
                List.of(operator),
                new OperatorBackends(),
                dev.weir.state.KeyGroupRange.of(0, 1),
                bundle,
                outputs,
                StateBackendFactory.inMemory(),
                new CheckpointUploads(),
                null,
                new RecordingListener(),
                new org.apache.beam.runners.core.metrics.MetricsContainerStepMap()),
            new CheckpointMailbox())
        .run();
  }

  private static Coder<WindowedValue<Long>> elementCoder() {
    return WindowedValues.getFullCoder(VarLongCoder.of(), GlobalWindow.Coder.INSTANCE);
  }

  private void send(int channel, ChannelEvent event) {
    events.add(new InputGate.GateEvent(channel, event));
  }

  private static ChannelEvent.DataBatch data(long... values) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (long value : values) {
      elementCoder().encode(WindowedValues.valueInGlobalWindow(value), out);
    }
    return new ChannelEvent.DataBatch(out.toByteArray(), values.length);
  }

  private List<String> withoutBundleEnds() {
    return log.stream().filter(s -> !s.endsWith("finish bundle")).collect(Collectors.toList());
  }

  @Test
  public void inputWatermarkWaitsForTheSlowestChannelUntilItEnds() throws Exception {
    chain.add(operator, List.of());
    send(0, new ChannelEvent.Watermark(500));
    send(1, new ChannelEvent.Watermark(300));
    send(0, new ChannelEvent.Watermark(900));
    send(1, ChannelEvent.EndOfInput.INSTANCE);
    send(0, ChannelEvent.EndOfInput.INSTANCE);

    run(new PCollectionView<?>[2]);

    assertEquals(
        List.of("op watermark 300", "op watermark 900", "op watermark " + END),
        withoutBundleEnds());
  }

  @Test
  public void dataReachesItsReceiverBeforeTheWatermarkBehindIt() throws Exception {
    chain.add(operator, List.of());
    send(0, data(1, 2));
    send(0, new ChannelEvent.Watermark(100));
    send(0, data(3));
    send(0, ChannelEvent.EndOfInput.INSTANCE);

    run(new PCollectionView<?>[1]);

    assertEquals(
        List.of(
            "op element 1",
            "op element 2",
            "op watermark 100",
            "op element 3",
            "op watermark " + END),
        withoutBundleEnds());
  }

  @Test
  public void sideInputDataAndWatermarkGoToTheOperatorsReadingIt() throws Exception {
    PipelineOptions options = PipelineOptionsFactory.create();
    // The pipeline is only built, for its view, never run.
    options.setRunner(CrashingRunner.class);
    PCollectionView<?> view = Pipeline.create(options).apply(Create.of(1L)).apply(View.asList());
    chain.add(operator, List.of(view));
    send(1, data(7));
    send(1, new ChannelEvent.Watermark(200));
    send(0, new ChannelEvent.Watermark(400));
    send(0, data(8));
    send(1, ChannelEvent.EndOfInput.INSTANCE);
    send(0, ChannelEvent.EndOfInput.INSTANCE);

    run(new PCollectionView<?>[] {null, view});

    assertEquals(
        List.of(
            "op side input 7",
            "op side input watermark 200",
            "op watermark 200",
            "op element 8",
            "op side input watermark " + END,
            "op watermark 400",
            "op watermark " + END),
        withoutBundleEnds());
  }

  @Test
  public void aTestClockFollowsTheSlowestOpenChannel() throws Exception {
    chain.add(operator, List.of());
    send(0, new ChannelEvent.ProcessingTime(100));
    send(1, new ChannelEvent.ProcessingTime(50));
    send(1, ChannelEvent.EndOfInput.INSTANCE);
    send(0, ChannelEvent.EndOfInput.INSTANCE);

    run(new PCollectionView<?>[2]);

    assertEquals(
        List.of(
            "op processing time 50",
            "op synchronized time 50",
            "op processing time 100",
            "op synchronized time 100",
            "op watermark " + END),
        withoutBundleEnds());
  }

  @Test
  public void anIdleGateDoesNotDelayAProcessingTimerThatIsAlreadyDue() throws Exception {
    // The operator's timer is due (500 is before the clock's 1000), as a splittable DoFn's resume
    // is after each step; it fires at the first tick and is then gone.
    RecordingOperator timerOperator =
        new RecordingOperator("op", log) {
          @Override
          public void advanceProcessingTime(Instant now) {
            super.advanceProcessingTime(now);
            if (nextProcessingTimer != null && !nextProcessingTimer.isAfter(now)) {
              nextProcessingTimer = null;
            }
          }
        };
    timerOperator.nextProcessingTimer = new Instant(500);
    chain.add(timerOperator, List.of());
    List<Long> waits = new ArrayList<>();
    // Idle first; once the timer has fired, the input ends.
    InputGate gate =
        new InputGate() {
          @Override
          public List<ChannelId> channels() {
            throw new UnsupportedOperationException();
          }

          @Override
          public GateEvent poll(long timeout, TimeUnit unit) {
            waits.add(unit.toMillis(timeout));
            return log.contains("op processing time 1000")
                ? new GateEvent(0, ChannelEvent.EndOfInput.INSTANCE)
                : null;
          }

          @Override
          public void close() {}
        };

    runOnWallClock(gate, () -> new Instant(1000));

    assertEquals("op processing time 1000", withoutBundleEnds().get(0));
    // Before the timer fired the loop only looked at the gate, never waited on it.
    assertEquals(List.of(0L, 0L), waits);
  }

  @Test
  public void aDueTimerThatATickDoesNotFireLetsTheLoopWaitAgain() throws Exception {
    // The timer stays due after the tick (its operator holds it back): one early tick for it,
    // then the loop waits on the gate as usual instead of spinning.
    operator.nextProcessingTimer = new Instant(500);
    chain.add(operator, List.of());
    List<Long> waits = new ArrayList<>();
    InputGate gate =
        new InputGate() {
          @Override
          public List<ChannelId> channels() {
            throw new UnsupportedOperationException();
          }

          @Override
          public GateEvent poll(long timeout, TimeUnit unit) {
            waits.add(unit.toMillis(timeout));
            return waits.size() < 4 ? null : new GateEvent(0, ChannelEvent.EndOfInput.INSTANCE);
          }

          @Override
          public void close() {}
        };

    runOnWallClock(gate, () -> new Instant(1000));

    assertEquals(List.of(0L, 0L, InputLoop.IDLE_POLL_MILLIS, 0L), waits);
    assertEquals("op processing time 1000", withoutBundleEnds().get(0));
  }

  @Test
  public void anIdleLoopWaitsOnlyUntilATimerAtTheCurrentMillisecondIsDue() throws Exception {
    // A timer is due once time is past it; one at the clock's own millisecond is due a millisecond
    // later, so the loop waits that long for input, not its whole idle interval, then ticks.
    long[] clockMillis = {1000};
    RecordingOperator timerOperator =
        new RecordingOperator("op", log) {
          @Override
          public void advanceProcessingTime(Instant now) {
            super.advanceProcessingTime(now);
            if (nextProcessingTimer != null && nextProcessingTimer.isBefore(now)) {
              nextProcessingTimer = null;
            }
          }
        };
    timerOperator.nextProcessingTimer = new Instant(1000);
    chain.add(timerOperator, List.of());
    List<Long> waits = new ArrayList<>();
    InputGate gate =
        new InputGate() {
          @Override
          public List<ChannelId> channels() {
            throw new UnsupportedOperationException();
          }

          @Override
          public GateEvent poll(long timeout, TimeUnit unit) {
            waits.add(unit.toMillis(timeout));
            // Waiting on an idle gate takes the whole timeout.
            clockMillis[0] += unit.toMillis(timeout);
            return log.stream().anyMatch(e -> e.startsWith("op processing time"))
                ? new GateEvent(0, ChannelEvent.EndOfInput.INSTANCE)
                : null;
          }

          @Override
          public void close() {}
        };

    runOnWallClock(gate, () -> new Instant(clockMillis[0]));

    assertEquals(List.of(0L, 1L, 0L), waits);
    assertEquals("op processing time 1001", withoutBundleEnds().get(0));
  }

  private void runOnWallClock(InputGate gate, java.util.function.Supplier<Instant> clock)
      throws Exception {
    SubtaskOutputs outputs = new SubtaskOutputs();
    CurrentBundle bundle = new CurrentBundle(chain, outputs);
    InputChannels channels = new InputChannels(new PCollectionView<?>[1]);
    SubtaskTime time = new SubtaskTime(false, clock, chain, outputs, bundle, channels);
    @SuppressWarnings({"unchecked", "rawtypes"})
    Coder<WindowedValue<?>>[] coders = new Coder[] {(Coder) elementCoder()};
    ChannelRoutes routes =
        new ChannelRoutes(
            coders,
            new PCollectionView<?>[1],
            new ElementReceiver[] {operator::processElement},
            chain);
    new InputLoop(
            gate,
            channels,
            routes,
            chain,
            bundle,
            time,
            new ProgressSignals(),
            null,
            clock,
            new SubtaskCheckpointer(
                new TaskId("job", 0, 0),
                List.of("op"),
                List.of(operator),
                new OperatorBackends(),
                dev.weir.state.KeyGroupRange.of(0, 1),
                bundle,
                outputs,
                StateBackendFactory.inMemory(),
                new CheckpointUploads(),
                null,
                new RecordingListener(),
                new org.apache.beam.runners.core.metrics.MetricsContainerStepMap()),
            new CheckpointMailbox())
        .run();
  }

  /** Hands out the events given, then reports an idle gate. */
  private static final class ScriptedGate implements InputGate {
    private final Deque<GateEvent> events;

    ScriptedGate(Deque<GateEvent> events) {
      this.events = events;
    }

    @Override
    public List<ChannelId> channels() {
      throw new UnsupportedOperationException();
    }

    @Override
    public GateEvent poll(long timeout, TimeUnit unit) {
      return events.poll();
    }

    @Override
    public void close() {}
  }
}
