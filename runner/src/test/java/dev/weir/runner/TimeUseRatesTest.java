package dev.weir.runner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.weir.worker.task.TaskId;
import java.util.Set;
import org.junit.Test;

public class TimeUseRatesTest {
  private static final TaskId TASK = new TaskId("job", 1, 0, 0);

  @Test
  public void firstReadingIsOverTheWholeLifeThenOverTheLatestWindow() {
    TimeUseRates rates = new TimeUseRates();
    assertEquals(new TimeUseRates.Rates(500, 250, 250), rates.of(TASK, 4000, 1000, 1000));
    // Under a second later: the same rates as before.
    assertEquals(new TimeUseRates.Rates(500, 250, 250), rates.of(TASK, 4500, 1500, 1000));
    // Two seconds after the reading kept: 1,800 ms more backpressured, none more idle.
    assertEquals(new TimeUseRates.Rates(100, 0, 900), rates.of(TASK, 6000, 1000, 2800));
  }

  @Test
  public void unknownTimeUseHasNoRates() {
    assertNull(new TimeUseRates().of(TASK, -1, 0, 0));
  }

  @Test
  public void ratesStayWithinASecond() {
    assertEquals(new TimeUseRates.Rates(0, 1000, 0), TimeUseRates.rates(1000, 1200, 0));
    assertEquals(new TimeUseRates.Rates(0, 600, 400), TimeUseRates.rates(1000, 600, 500));
  }

  @Test
  public void forgottenJobsLeaveNoReadings() {
    TimeUseRates rates = new TimeUseRates();
    rates.of(TASK, 4000, 1000, 1000);
    rates.retainJobs(Set.of("other"));
    // Read anew: over the whole life again.
    assertEquals(new TimeUseRates.Rates(500, 0, 500), rates.of(TASK, 6000, 0, 3000));
  }

  @Test
  public void earlierAttemptsReadingsAreDroppedSoRestartsLeaveNothingBehind() {
    TimeUseRates rates = new TimeUseRates();
    TaskId before = new TaskId(TASK.jobId(), TASK.stage(), TASK.subtask(), 3);
    TaskId now = new TaskId(TASK.jobId(), TASK.stage(), TASK.subtask(), 4);
    TaskId otherJob = new TaskId("other", TASK.stage(), TASK.subtask(), 0);
    rates.of(before, 4000, 1000, 1000);
    rates.of(now, 4000, 1000, 1000);
    rates.of(otherJob, 4000, 1000, 1000);
    assertEquals(3, rates.size());
    rates.retainAttempt(TASK.jobId(), 4);
    assertEquals(2, rates.size());
    // The current attempt's reading is kept: the next rates are over the window since it.
    assertEquals(new TimeUseRates.Rates(100, 0, 900), rates.of(now, 6000, 1000, 2800));
  }
}
