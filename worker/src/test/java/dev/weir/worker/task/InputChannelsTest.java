package dev.weir.worker.task;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollectionView;
import org.joda.time.Instant;
import org.junit.Test;

public class InputChannelsTest {

  private static InputChannels mainInputs(int n) {
    return new InputChannels(new PCollectionView<?>[n]);
  }

  private static PCollectionView<List<Long>> listView() {
    PipelineOptions options = PipelineOptionsFactory.create();
    // The pipeline is only built, for its view, never run.
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    return p.apply(Create.of(1L)).apply(View.asList());
  }

  @Test
  public void inputWatermarkIsTheSlowestChannel() {
    InputChannels channels = mainInputs(3);
    assertTrue(channels.watermarkReached(0, new Instant(500)));
    assertTrue(channels.watermarkReached(2, new Instant(900)));
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, channels.inputWatermark());

    channels.watermarkReached(1, new Instant(700));
    assertEquals(new Instant(500), channels.inputWatermark());

    channels.watermarkReached(0, new Instant(1_000));
    assertEquals(new Instant(700), channels.inputWatermark());
  }

  @Test
  public void aChannelsWatermarkNeverGoesBack() {
    InputChannels channels = mainInputs(1);
    channels.watermarkReached(0, new Instant(500));

    assertFalse(channels.watermarkReached(0, new Instant(400)));
    assertFalse(channels.watermarkReached(0, new Instant(500)));
    assertEquals(new Instant(500), channels.watermark(0));
  }

  @Test
  public void anEndedChannelNoLongerHoldsTheInputWatermarkBack() {
    InputChannels channels = mainInputs(2);
    channels.watermarkReached(0, new Instant(500));

    assertTrue(channels.end(1));
    assertEquals(1, channels.openCount());
    assertEquals(new Instant(500), channels.inputWatermark());

    assertFalse("a second end of input changes nothing", channels.end(1));
    assertEquals(1, channels.openCount());

    channels.end(0);
    assertEquals(0, channels.openCount());
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, channels.inputWatermark());
  }

  @Test
  public void testClockIsTheSlowestOpenChannelAndAbsentOnceAllEnded() {
    InputChannels channels = mainInputs(2);
    assertTrue(channels.processingTimeReached(0, new Instant(300)));
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, channels.testClockTime());

    channels.processingTimeReached(1, new Instant(800));
    assertEquals(new Instant(300), channels.testClockTime());
    assertFalse(channels.processingTimeReached(1, new Instant(600)));

    channels.end(0);
    assertEquals("an ended channel no longer holds it", new Instant(800), channels.testClockTime());

    channels.end(1);
    assertNull(channels.testClockTime());
  }

  @Test
  public void sideInputWatermarkIsTheSlowestChannelOfItsEdgeAndGivenOnlyWhenItMoves() {
    PCollectionView<?> view = listView();
    InputChannels channels = new InputChannels(new PCollectionView<?>[] {null, view, view});
    channels.watermarkReached(0, new Instant(100));
    assertNull("a main input has no side input watermark", channels.sideInputWatermarkAdvanced(0));

    channels.watermarkReached(1, new Instant(700));
    assertNull("channel 2 still holds it", channels.sideInputWatermarkAdvanced(1));

    channels.watermarkReached(2, new Instant(900));
    assertEquals(new Instant(700), channels.sideInputWatermarkAdvanced(2));
    assertNull("it did not move since", channels.sideInputWatermarkAdvanced(2));

    channels.end(1);
    assertEquals(new Instant(900), channels.sideInputWatermarkAdvanced(1));
    assertEquals(
        "the main input still holds the input watermark",
        new Instant(100),
        channels.inputWatermark());
  }
}
