package dev.weir.benchmarks.nexmark;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import org.junit.Test;

public class SideBySideTableTest {

  private final SideBySideTable table =
      new SideBySideTable(
          ExecutionMode.BATCH, 1_000_000, List.of(ComparedRunner.FLINK, ComparedRunner.WEIR));

  @Test
  public void ratioIsTheSecondRunnerOverTheFirst() {
    table.add(1, ComparedRunner.FLINK, RunOutcome.measured(50_000, 920_000, 1.5));
    table.add(1, ComparedRunner.WEIR, RunOutcome.measured(100_000, 920_000, 1.5));

    assertThat(table.ratio(1), closeTo(2.0, 1e-9));
    assertThat(table.toMarkdown(), containsString("| q1 | 50,000 | 100,000 | 2.00 | 920,000 / 920,000 |  | 2 / 2 |"));
  }

  @Test
  public void geometricMeanLeavesOutQueriesThatFailed() {
    table.add(1, ComparedRunner.FLINK, RunOutcome.measured(10, 5, 1.5));
    table.add(1, ComparedRunner.WEIR, RunOutcome.measured(40, 5, 1.5));
    table.add(2, ComparedRunner.FLINK, RunOutcome.measured(10, 5, 1.5));
    table.add(2, ComparedRunner.WEIR, RunOutcome.measured(10, 5, 1.5));
    table.add(3, ComparedRunner.FLINK, RunOutcome.measured(10, 5, 1.5));
    table.add(3, ComparedRunner.WEIR, RunOutcome.failed("timed out"));

    assertThat(table.geometricMeanRatio(), closeTo(2.0, 1e-9));
    assertThat(table.toMarkdown(), containsString("- q3 on WeirRunner: timed out"));
  }

  @Test
  public void differentResultCountsAreFlagged() {
    table.add(6, ComparedRunner.FLINK, RunOutcome.measured(10, 8_902, 1.5));
    table.add(6, ComparedRunner.WEIR, RunOutcome.measured(10, 25_214, 1.5));

    assertThat(table.countsDiffer(6), equalTo(true));
    assertThat(table.toMarkdown(), containsString("8,902 / 25,214 | counts differ |"));
  }
}
