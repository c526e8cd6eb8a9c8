package dev.weir.worker.task;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;
import org.junit.Test;

public class OperatorChainTest {
  private final List<String> log = new ArrayList<>();
  private final OperatorChain chain = new OperatorChain();
  private final RecordingOperator first = new RecordingOperator("first", log);
  private final RecordingOperator second = new RecordingOperator("second", log);
  private final RecordingOperator third = new RecordingOperator("third", log);

  private void addAllWithoutSideInputs() {
    chain.add(first, List.of());
    chain.add(second, List.of());
    chain.add(third, List.of());
  }

  @Test
  public void eachOperatorSeesTheInputWatermarkHeldByTheOperatorsBeforeIt() {
    addAllWithoutSideInputs();
    first.hold = new Instant(400);
    second.hold = new Instant(600);
    third.hold = new Instant(200);

    Instant output = chain.advanceInputWatermark(new Instant(1_000));

    assertEquals(
        List.of("first watermark 1000", "second watermark 400", "third watermark 400"), log);
    assertEquals(new Instant(200), output);
  }

  @Test
  public void aTestClockMovesBothProcessingTimesOfEachOperatorBeforeTheNext() {
    addAllWithoutSideInputs();

    chain.advanceTestClock(new Instant(50));

    assertEquals(
        List.of(
            "first processing time 50",
            "first synchronized time 50",
            "second processing time 50",
            "second synchronized time 50",
            "third processing time 50",
            "third synchronized time 50"),
        log);
  }

  @Test
  public void earliestTimersAreTheMinimumOverTheOperators() {
    addAllWithoutSideInputs();
    assertNull(chain.earliestProcessingTimer());
    assertNull(chain.earliestTimerHoldingSynchronizedTime());

    second.nextProcessingTimer = new Instant(700);
    third.nextProcessingTimer = new Instant(500);
    first.nextSynchronizedTimer = new Instant(600);
    assertEquals(new Instant(500), chain.earliestProcessingTimer());
    assertEquals(new Instant(500), chain.earliestTimerHoldingSynchronizedTime());

    first.nextSynchronizedTimer = new Instant(100);
    assertEquals(new Instant(100), chain.earliestTimerHoldingSynchronizedTime());
  }

  @Test
  public void sideInputGoesOnlyToTheOperatorsReadingIt() {
    PipelineOptions options = PipelineOptionsFactory.create();
    // The pipeline is only built, for its views, never run.
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    PCollectionView<?> read = p.apply("a", Create.of(1L)).apply("va", View.asList());
    PCollectionView<?> unread = p.apply("b", Create.of(2L)).apply("vb", View.asList());
    chain.add(first, List.of());
    chain.add(second, List.of(read));
    chain.add(third, List.of(read, unread));

    chain.processSideInput(read, WindowedValues.valueInGlobalWindow(7L));
    chain.advanceSideInputWatermark(unread, new Instant(30));

    assertEquals(
        List.of("second side input 7", "third side input 7", "third side input watermark 30"),
        log);
  }

  @Test
  public void everyOperatorIsClosedAndTheFirstFailureKeepsTheLaterOnes() {
    addAllWithoutSideInputs();
    RuntimeException firstFailure = new RuntimeException("first");
    RuntimeException thirdFailure = new RuntimeException("third");
    first.failOnClose = firstFailure;
    third.failOnClose = thirdFailure;

    Throwable failure = chain.close(null);

    assertEquals(List.of("first close", "second close", "third close"), log);
    assertSame(firstFailure, failure);
    assertSame(thirdFailure, failure.getSuppressed()[0]);
  }

  @Test
  public void closingAfterAFailureKeepsThatFailure() {
    addAllWithoutSideInputs();
    RuntimeException earlier = new RuntimeException("earlier");
    second.failOnClose = new RuntimeException("close");

    Throwable failure = chain.close(earlier);

    assertSame(earlier, failure);
    assertSame(second.failOnClose, failure.getSuppressed()[0]);
  }

  @Test
  public void aFailureNamesTheStepItCameOutOfNotTheStepsItUnwoundThrough() {
    IllegalStateException thrown = new IllegalStateException("user says no");
    RecordingOperator throwing =
        new RecordingOperator("throwing", log) {
          @Override
          public void processElement(org.apache.beam.sdk.values.WindowedValue<?> element) {
            throw thrown;
          }
        };
    chain.add("Throwing/ParMultiDo(T)", throwing, List.of());
    dev.weir.worker.operators.ElementReceiver downstream =
        chain.receiver("Throwing/ParMultiDo(T)", throwing);
    RecordingOperator forwarding =
        new RecordingOperator("forwarding", log) {
          @Override
          public void processElement(org.apache.beam.sdk.values.WindowedValue<?> element) {
            downstream.accept(element);
          }
        };
    chain.add("Forward/ParMultiDo(F)", forwarding, List.of());

    RuntimeException wrapped = null;
    try {
      chain.receiver("Forward/ParMultiDo(F)", forwarding)
          .accept(WindowedValues.valueInGlobalWindow(1));
    } catch (IllegalStateException e) {
      wrapped = new RuntimeException("wrapped by the input loop", e);
    }

    assertEquals("Throwing/ParMultiDo(T)", chain.failedStep().of(thrown));
    assertEquals("Throwing/ParMultiDo(T)", chain.failedStep().of(wrapped));
    // A later failure that does not carry the noted one is not taken for it.
    assertNull(chain.failedStep().of(new IllegalStateException("elsewhere")));
  }

  @Test
  public void aFailureInATimerNamesItsStep() {
    IllegalStateException thrown = new IllegalStateException("timer failed");
    RecordingOperator timed =
        new RecordingOperator("timed", log) {
          @Override
          public void finishBundle() {
            throw thrown;
          }
        };
    chain.add("First", first, List.of());
    chain.add("Timed", timed, List.of());
    try {
      chain.finishBundle();
    } catch (IllegalStateException expected) {
      assertSame(thrown, expected);
    }
    assertEquals("Timed", chain.failedStep().of(thrown));
  }
}
