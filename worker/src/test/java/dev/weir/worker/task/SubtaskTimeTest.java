package dev.weir.worker.task;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollectionView;
import org.joda.time.Instant;
import org.junit.Test;

/** A subtask's time over an operator chain without output edges. */
public class SubtaskTimeTest {
  private final List<String> log = new ArrayList<>();
  private final OperatorChain chain = new OperatorChain();
  private final RecordingOperator first = new RecordingOperator("first", log);
  private final RecordingOperator second = new RecordingOperator("second", log);
  private final SubtaskOutputs outputs = new SubtaskOutputs();
  private final CurrentBundle bundle = new CurrentBundle(chain, outputs);
  private final AtomicReference<Instant> wallClock = new AtomicReference<>(new Instant(10_000));

  {
    chain.add(first, List.of());
    chain.add(second, List.of());
  }

  private SubtaskTime time(boolean testClock, int channels) {
    return new SubtaskTime(
        testClock,
        wallClock::get,
        chain,
        outputs,
        bundle,
        new InputChannels(new PCollectionView<?>[channels]));
  }

  @Test
  public void aWatermarkAdvanceEndsTheBundleBeforeTimersFireAndAgainAfter() throws Exception {
    SubtaskTime time = time(false, 1);
    first.hold = new Instant(300);

    time.advanceInputWatermark(new Instant(500));

    assertEquals(
        List.of(
            "first finish bundle",
            "second finish bundle",
            "first watermark 500",
            "second watermark 300",
            "first finish bundle",
            "second finish bundle"),
        log);
    assertEquals(new Instant(500), time.inputWatermark());
    assertEquals("held by the first operator", new Instant(300), time.outputWatermark());
  }

  @Test
  public void theInputWatermarkOnlyMovesForward() throws Exception {
    SubtaskTime time = time(false, 1);
    time.advanceInputWatermark(new Instant(500));
    log.clear();

    time.advanceInputWatermark(new Instant(500));
    time.advanceInputWatermark(new Instant(400));

    assertEquals(List.of(), log);
    assertEquals(new Instant(500), time.inputWatermark());
  }

  @Test
  public void outputWatermarkNeverGoesBackWhenAHoldAppears() throws Exception {
    SubtaskTime time = time(false, 1);
    time.advanceInputWatermark(new Instant(500));
    second.hold = new Instant(200);

    time.advanceInputWatermark(new Instant(800));

    assertEquals(new Instant(500), time.outputWatermark());
  }

  @Test
  public void endOfInputWatermarkFiresEveryEventTimeTimer() throws Exception {
    SubtaskTime time = time(false, 1);

    time.endInputWatermark();

    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, time.inputWatermark());
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, time.outputWatermark());
  }

  @Test
  public void aSourceMovesATestClockOnlyForward() throws Exception {
    SubtaskTime time = time(true, 0);
    Supplier<Instant> seen = time.operatorProcessingTime();

    time.advanceTestClock(new Instant(70));
    time.advanceTestClock(new Instant(60));

    assertEquals(new Instant(70), seen.get());
    assertEquals(new Instant(70), time.operatorSynchronizedProcessingTime().get());
    assertEquals(
        List.of(
            "first finish bundle",
            "second finish bundle",
            "first processing time 70",
            "first synchronized time 70",
            "second processing time 70",
            "second synchronized time 70",
            "first finish bundle",
            "second finish bundle"),
        log);
  }

  @Test
  public void onlyATestClockCanBeMovedByASource() {
    SubtaskTime time = time(false, 0);

    assertThrows(IllegalStateException.class, () -> time.advanceTestClock(new Instant(70)));
  }

  @Test
  public void aTestClockFollowsTheSlowestOpenChannel() throws Exception {
    InputChannels channels = new InputChannels(new PCollectionView<?>[2]);
    SubtaskTime time = new SubtaskTime(true, wallClock::get, chain, outputs, bundle, channels);

    channels.processingTimeReached(0, new Instant(400));
    time.testClockChanged();
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, time.operatorProcessingTime().get());

    channels.processingTimeReached(1, new Instant(900));
    time.testClockChanged();
    assertEquals(new Instant(400), time.operatorProcessingTime().get());

    channels.end(0);
    time.testClockChanged();
    assertEquals(new Instant(900), time.operatorProcessingTime().get());
  }

  @Test
  public void onTheWallClockOperatorsSeeTheClockAndASourceIsSynchronizedWithIt() throws Exception {
    SubtaskTime time = time(false, 0);
    assertEquals(new Instant(10_000), time.operatorProcessingTime().get());

    time.advanceWallClock(new Instant(10_000));

    assertEquals(new Instant(10_000), time.operatorSynchronizedProcessingTime().get());
    assertEquals(
        List.of(
            "first processing time 10000",
            "second processing time 10000",
            "first synchronized time 10000",
            "second synchronized time 10000",
            "first finish bundle",
            "second finish bundle"),
        log);
  }

  @Test
  public void synchronizedTimeWaitsForTheSlowestInputChannel() throws Exception {
    SubtaskTime time = time(false, 2);
    time.synchronizedTime().channelReached(0, new Instant(9_000));
    time.synchronizedTime().channelReached(1, new Instant(8_000));

    time.advanceWallClock(new Instant(10_000));

    assertEquals(new Instant(8_000), time.operatorSynchronizedProcessingTime().get());
  }
}
