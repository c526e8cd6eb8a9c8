package dev.weir.web;

import static org.junit.Assert.assertEquals;

import dev.weir.web.view.JobDetail;
import dev.weir.web.view.JobSummary;
import dev.weir.web.view.StageDetail;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** The backpressure hint: the busy, not-backpressured stage just downstream of backpressured ones. */
public class BottlenecksTest {
  private static final JobSummary JOB = new JobSummary("j", "j", "RUNNING", 0, -1, 0, 0);

  /** Stages 0 → 1 → 2 → 3, each {busy, backpressured} ms per second, null: not reported. */
  private static List<Bottlenecks.Bottleneck> of(long[]... stages) {
    List<JobDetail.Stage> plan = new ArrayList<>();
    List<JobDetail.Edge> edges = new ArrayList<>();
    List<StageDetail> status = new ArrayList<>();
    for (int i = 0; i < stages.length; i++) {
      plan.add(new JobDetail.Stage(i, "stage" + i, 2, List.of("S" + i)));
      if (i > 0) {
        edges.add(new JobDetail.Edge(i - 1, i - 1, i, "KEYED"));
      }
      List<StageDetail.SubtaskStatus> subtasks = new ArrayList<>();
      if (stages[i] != null) {
        // One subtask as given, one idle: the stage counts by its busiest / most backpressured.
        subtasks.add(
            new StageDetail.SubtaskStatus(
                0, 0, "w", 1, 0, 0, stages[i][0], 1000 - stages[i][0] - stages[i][1], stages[i][1]));
        subtasks.add(new StageDetail.SubtaskStatus(1, 0, "w", 1, 0, 0, 0, 1000, 0));
      }
      status.add(new StageDetail("j", i, "stage" + i, 2, List.of("S" + i), subtasks));
    }
    return Bottlenecks.of(new JobDetail(JOB, 128, plan, edges, Map.of()), status);
  }

  @Test
  public void namesTheBusyStageJustDownstreamOfTheBackpressuredOnes() {
    // 0 and 1 wait for credit, 2 works flat out, 3 waits for input.
    List<Bottlenecks.Bottleneck> found =
        of(new long[] {200, 700}, new long[] {100, 800}, new long[] {950, 0}, new long[] {50, 0});
    assertEquals(1, found.size());
    assertEquals(2, found.get(0).stage());
    assertEquals("stage2", found.get(0).name());
    assertEquals(950, found.get(0).busyMillisPerSecond());
    assertEquals(List.of(1), found.get(0).backpressuredUpstream());
  }

  @Test
  public void noHintWithoutBackpressureOrWhenTheStageDownstreamIsNotBusy() {
    assertEquals(List.of(), of(new long[] {900, 0}, new long[] {950, 0}));
    // Backpressured, but what follows is idle (or has not reported): no stage to blame.
    assertEquals(List.of(), of(new long[] {200, 700}, new long[] {100, 0}));
    assertEquals(List.of(), of(new long[] {200, 700}, null));
  }
}
