package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;

import org.apache.beam.sdk.transforms.windowing.AfterAll;
import org.apache.beam.sdk.transforms.windowing.AfterEach;
import org.apache.beam.sdk.transforms.windowing.AfterFirst;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterSynchronizedProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.Never;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.joda.time.Duration;
import org.junit.Test;

public class ProcessingTimeSlackTest {
  private static final Duration TEN_SECONDS = Duration.standardSeconds(10);

  private static AfterProcessingTime tenSecondsAfterTheFirstElement() {
    return AfterProcessingTime.pastFirstElementInPane().plusDelayOf(TEN_SECONDS);
  }

  @Test
  public void triggersWithoutProcessingTimeHaveNoLimit() {
    for (Trigger trigger :
        new Trigger[] {
          DefaultTrigger.of(),
          AfterWatermark.pastEndOfWindow(),
          Repeatedly.forever(AfterPane.elementCountAtLeast(3)),
          AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(5)),
          Never.ever()
        }) {
      assertEquals(trigger.toString(), ProcessingTimeSlack.UNLIMITED, ProcessingTimeSlack.of(trigger));
    }
  }

  @Test
  public void aProcessingTimeTriggerActiveFromTheStartLimitsToItsDelay() {
    assertEquals(
        TEN_SECONDS, ProcessingTimeSlack.of(Repeatedly.forever(tenSecondsAfterTheFirstElement())));
    assertEquals(
        TEN_SECONDS,
        ProcessingTimeSlack.of(
            AfterWatermark.pastEndOfWindow().withEarlyFirings(tenSecondsAfterTheFirstElement())));
    assertEquals(
        Duration.millis(3),
        ProcessingTimeSlack.of(
            AfterFirst.of(
                tenSecondsAfterTheFirstElement(),
                AfterProcessingTime.pastFirstElementInPane()
                    .plusDelayOf(Duration.millis(1))
                    .plusDelayOf(Duration.millis(2)))));
    assertEquals(
        TEN_SECONDS,
        ProcessingTimeSlack.of(
            Repeatedly.forever(AfterPane.elementCountAtLeast(2))
                .orFinally(tenSecondsAfterTheFirstElement())));
    assertEquals(
        TEN_SECONDS,
        ProcessingTimeSlack.of(
            AfterAll.of(AfterPane.elementCountAtLeast(2), tenSecondsAfterTheFirstElement())));
  }

  @Test
  public void alignedSynchronizedAndUndelayedProcessingTimeTriggersAllowNoHolding() {
    assertEquals(
        Duration.ZERO,
        ProcessingTimeSlack.of(
            AfterProcessingTime.pastFirstElementInPane()
                .plusDelayOf(TEN_SECONDS)
                .alignedTo(Duration.standardMinutes(1))));
    assertEquals(
        Duration.ZERO, ProcessingTimeSlack.of(AfterProcessingTime.pastFirstElementInPane()));
    assertEquals(
        Duration.ZERO,
        ProcessingTimeSlack.of(Repeatedly.forever(AfterSynchronizedProcessingTime.ofFirstElement())));
  }

  @Test
  public void processingTimeOnlyAfterTheEndOfTheWindowHasNoLimit() {
    // Late firings.
    assertEquals(
        ProcessingTimeSlack.UNLIMITED,
        ProcessingTimeSlack.of(
            AfterWatermark.pastEndOfWindow().withLateFirings(tenSecondsAfterTheFirstElement())));
    // Nexmark q10: the processing-time step comes after one that finishes at the window's end.
    assertEquals(
        ProcessingTimeSlack.UNLIMITED,
        ProcessingTimeSlack.of(
            AfterEach.inOrder(
                Repeatedly.forever(AfterPane.elementCountAtLeast(100))
                    .orFinally(AfterWatermark.pastEndOfWindow()),
                Repeatedly.forever(
                    AfterFirst.of(
                        AfterPane.elementCountAtLeast(100), tenSecondsAfterTheFirstElement())))));
  }

  @Test
  public void aStepAfterOneThatCanFinishEarlyCounts() {
    assertEquals(
        TEN_SECONDS,
        ProcessingTimeSlack.of(
            AfterEach.inOrder(
                AfterPane.elementCountAtLeast(100), tenSecondsAfterTheFirstElement())));
  }
}
