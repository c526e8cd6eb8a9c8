package dev.weir.runner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;

import dev.weir.worker.operators.SourceWork;
import java.util.Map;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.junit.Test;

public class JobProgressTest {
  @Test
  public void aSourcesFractionIsItsWorkDoneOverItsWorkGivenAndTheLineShowsIt() {
    // Two subtasks' work summed: 10 of 100 and 90 of 100 give 100 of 200.
    SourceWork both = new SourceWork(10, 100).plus(new SourceWork(90, 100));
    String step = "Read/ParDo(BoundedSourceAsSDFWrapper)";
    JobProgress progress =
        JobProgress.of(new MetricsContainerStepMap(), Map.of(step, both), false);

    assertEquals(0.5, progress.fractionDone(step).getAsDouble(), 0);
    assertFalse(progress.fractionDone("Unbounded").isPresent());
    assertEquals(
        "source '" + step + "': 0 elements read, 50.0% done",
        progress.toString());
  }

  @Test
  public void whenTheJobIsDoneEverySourceIsAllDone() {
    JobProgress progress =
        JobProgress.of(new MetricsContainerStepMap(), Map.of("Read", new SourceWork(3, 4)), true);
    assertEquals(1.0, progress.fractionDone("Read").getAsDouble(), 0);
  }

  @Test
  public void sourceWorkRefusesMoreDoneThanThereIs() {
    assertThrows(IllegalArgumentException.class, () -> new SourceWork(2, 1));
  }
}
