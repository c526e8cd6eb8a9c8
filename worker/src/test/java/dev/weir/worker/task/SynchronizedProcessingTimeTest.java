package dev.weir.worker.task;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;
import org.junit.Test;

public class SynchronizedProcessingTimeTest {

  @Test
  public void inputTimeIsTheSlowestOpenChannelAndNeverPassesTheLocalClock() {
    SynchronizedProcessingTime time = new SynchronizedProcessingTime(2);
    time.channelReached(0, new Instant(500));
    assertFalse("channel 1 has reported nothing yet", time.advance(new Instant(1_000)));

    time.channelReached(1, new Instant(300));
    assertTrue(time.advance(new Instant(1_000)));
    assertEquals(new Instant(300), time.current());

    time.channelReached(1, new Instant(2_000));
    time.advance(new Instant(1_000));
    assertEquals(new Instant(500), time.current());

    time.channelReached(0, new Instant(5_000));
    time.advance(new Instant(1_000));
    assertEquals(new Instant(1_000), time.current());
  }

  @Test
  public void anEndedChannelNoLongerHoldsTimeBack() {
    SynchronizedProcessingTime time = new SynchronizedProcessingTime(2);
    time.channelReached(0, new Instant(700));
    time.channelEnded(1);

    assertTrue(time.advance(new Instant(1_000)));
    assertEquals(new Instant(700), time.current());
  }

  @Test
  public void timeNeverGoesBack() {
    SynchronizedProcessingTime time = new SynchronizedProcessingTime(0);
    time.advance(new Instant(1_000));

    assertFalse(time.advance(new Instant(900)));
    assertEquals(new Instant(1_000), time.current());
  }

  @Test
  public void reportIsHeldByAPendingTimerAndSentOnlyWhenItMoves() {
    SynchronizedProcessingTime time = new SynchronizedProcessingTime(0);
    time.advance(new Instant(1_000));

    assertEquals(new Instant(400), time.toReport(new Instant(400)));
    assertNull(time.toReport(new Instant(400)));
    assertEquals(new Instant(1_000), time.toReport(new Instant(3_000)));
    assertNull(time.toReport(null));
    time.advance(new Instant(1_200));
    assertEquals(new Instant(1_200), time.toReport(null));
  }

  @Test
  public void aReleasedChannelHoldsNothingUntilDataComesThenHoldsUntilTheWatermarkBehindIsProcessed() {
    SynchronizedProcessingTime time = new SynchronizedProcessingTime(2);
    time.channelReached(0, BoundedWindow.TIMESTAMP_MAX_VALUE);
    time.channelEnded(1);
    assertTrue(time.inputsReleased());
    assertEquals(new Instant(1_000), time.inputBound(new Instant(1_000)));

    // The producer's final pane: a continuation trigger set for it must not fire before the
    // watermark that follows it on the channel.
    time.dataFrom(0, new Instant(1_100));
    assertFalse(time.inputsReleased());
    assertEquals(new Instant(1_100), time.inputBound(new Instant(5_000)));

    time.watermarkFrom(0);
    assertFalse("until the subtask's input watermark has caught up", time.inputsReleased());
    time.watermarkProcessed(0);
    assertTrue(time.inputsReleased());
    assertEquals(new Instant(5_000), time.inputBound(new Instant(5_000)));
  }

  @Test
  public void dataOnAChannelThatHasNotReleasedChangesNothing() {
    SynchronizedProcessingTime time = new SynchronizedProcessingTime(1);
    time.channelReached(0, new Instant(700));

    time.dataFrom(0, new Instant(900));

    assertFalse(time.inputsReleased());
    assertEquals(new Instant(700), time.inputBound(new Instant(1_000)));
  }
}
