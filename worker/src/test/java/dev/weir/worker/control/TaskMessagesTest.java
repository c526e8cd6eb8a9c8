package dev.weir.worker.control;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import com.google.protobuf.ByteString;
import dev.weir.worker.task.SubtaskProgress;
import dev.weir.worker.task.TaskId;
import java.util.List;
import org.joda.time.Instant;
import org.junit.Test;

public class TaskMessagesTest {

  @Test
  public void aSubtasksProgressCrossesTheProtocolWhole() {
    SubtaskProgress sent =
        new SubtaskProgress(
            new TaskId("job", 2, 1, 3),
            "stage 'Count'",
            42,
            true,
            new Instant(1_000),
            new Instant(900),
            new Instant(5_000),
            List.of(ByteString.copyFromUtf8("metric-a"), ByteString.copyFromUtf8("metric-b")));

    SubtaskProgress received = TaskMessages.progress(TaskMessages.progress(sent));

    assertEquals(sent.task(), received.task());
    assertEquals("stage 'Count'", received.stageName());
    assertEquals(42, received.events());
    assertEquals(true, received.busy());
    assertEquals(new Instant(1_000), received.inputWatermark());
    assertEquals(new Instant(900), received.outputWatermark());
    assertEquals(new Instant(5_000), received.nextProcessingTimer());
    assertEquals(sent.metrics(), received.metrics());
  }

  @Test
  public void timeUseCrossesTheProtocolAndItsAbsenceStaysUnknown() {
    SubtaskProgress plain =
        new SubtaskProgress(
            new TaskId("job", 0, 0, 0), "s", 0, false, new Instant(0), new Instant(0), null);
    SubtaskProgress received =
        TaskMessages.progress(TaskMessages.progress(plain.withTimeUse(10_000, 2_500, 6_000)));
    assertEquals(10_000, received.elapsedMillis());
    assertEquals(2_500, received.idleMillis());
    assertEquals(6_000, received.backpressuredMillis());
    // A report from a worker that does not measure it.
    assertEquals(-1, TaskMessages.progress(TaskMessages.progress(plain)).elapsedMillis());
  }

  @Test
  public void noPendingTimerStaysNoTimer() {
    SubtaskProgress sent =
        new SubtaskProgress(
            new TaskId("job", 0, 0, 0), "s", 0, false, new Instant(0), new Instant(0), null);
    assertNull(TaskMessages.progress(TaskMessages.progress(sent)).nextProcessingTimer());
  }

  @Test
  public void aFailedSubtasksStepCrossesTheWire() {
    dev.weir.worker.task.SubtaskSummary failed =
        new dev.weir.worker.task.SubtaskSummary(
                new org.apache.beam.runners.core.metrics.MetricsContainerStepMap(),
                java.util.Map.of())
            .withFailedStep("Refuse/ParMultiDo(Throwing)");
    assertEquals(
        "Refuse/ParMultiDo(Throwing)",
        TaskMessages.summary(TaskMessages.summary(failed)).failedStep());
    dev.weir.worker.task.SubtaskSummary unknown =
        new dev.weir.worker.task.SubtaskSummary(
            new org.apache.beam.runners.core.metrics.MetricsContainerStepMap(), java.util.Map.of());
    assertNull(TaskMessages.summary(TaskMessages.summary(unknown)).failedStep());
  }

  @Test
  public void recordsAndBytesCrossTheProtocolInProgressAndAtTheEnd() {
    dev.weir.worker.task.SubtaskIo io = new dev.weir.worker.task.SubtaskIo(10, 1_000, 20, 2_500);
    SubtaskProgress plain =
        new SubtaskProgress(
            new TaskId("job", 0, 0, 0), "s", 0, false, new Instant(0), new Instant(0), null);
    SubtaskProgress received =
        TaskMessages.progress(
            TaskMessages.progress(plain.withIo(io).withTimeUse(10_000, 2_500, 6_000)));
    assertEquals(io, received.io());
    assertEquals(6_000, received.backpressuredMillis());
    dev.weir.worker.task.SubtaskSummary ended =
        new dev.weir.worker.task.SubtaskSummary(
                new org.apache.beam.runners.core.metrics.MetricsContainerStepMap(),
                java.util.Map.of())
            .withIo(io);
    assertEquals(io, TaskMessages.summary(TaskMessages.summary(ended)).io());
  }
}
