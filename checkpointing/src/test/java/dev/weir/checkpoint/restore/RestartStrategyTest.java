package dev.weir.checkpoint.restore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.Assert.assertThrows;

import dev.weir.checkpoint.CheckpointingOptions;
import dev.weir.checkpoint.restore.RestartStrategy.GiveUp;
import dev.weir.checkpoint.restore.RestartStrategy.Restart;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Test;

public class RestartStrategyTest {

  private static CheckpointingOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(CheckpointingOptions.class);
  }

  @Test
  public void unsetRetriesAreThreeWithCheckpointsAndNoneWithout() {
    assertThat(
        RestartStrategy.of(options("--checkpointingInterval=500")),
        equalTo(new RestartStrategy(3, 1000)));
    assertThat(RestartStrategy.of(options()), equalTo(new RestartStrategy(0, 1000)));
  }

  @Test
  public void givenValuesAreTakenAsTheyAre() {
    assertThat(
        RestartStrategy.of(
            options("--numberOfExecutionRetries=7", "--executionRetryDelay=250")),
        equalTo(new RestartStrategy(7, 250)));
    assertThat(
        RestartStrategy.of(
            options(
                "--checkpointingInterval=500",
                "--numberOfExecutionRetries=0",
                "--executionRetryDelay=0")),
        equalTo(new RestartStrategy(0, 0)));
  }

  @Test
  public void nullsResolveLikeMinusOne() {
    assertThat(RestartStrategy.resolve(null, null, true), equalTo(new RestartStrategy(3, 1000)));
    assertThat(RestartStrategy.resolve(null, null, false), equalTo(new RestartStrategy(0, 1000)));
  }

  @Test
  public void valuesBelowMinusOneAreRefusedNamingTheOption() {
    IllegalArgumentException retries =
        assertThrows(
            IllegalArgumentException.class, () -> RestartStrategy.resolve(-2, -1L, true));
    assertThat(retries.getMessage(), containsString("--numberOfExecutionRetries=-2"));
    IllegalArgumentException delay =
        assertThrows(
            IllegalArgumentException.class, () -> RestartStrategy.resolve(1, -5L, true));
    assertThat(delay.getMessage(), containsString("--executionRetryDelay=-5"));
  }

  @Test
  public void restartsUntilTheRetriesAreUsedThenGivesUp() {
    RestartStrategy strategy = new RestartStrategy(2, 300);

    assertThat(strategy.next(0), equalTo(new Restart(1, 300)));
    assertThat(strategy.next(1), equalTo(new Restart(2, 300)));
    RestartStrategy.Decision third = strategy.next(2);
    assertThat(third, instanceOf(GiveUp.class));
    assertThat(((GiveUp) third).reason(), containsString("--numberOfExecutionRetries=2"));
    assertThat(strategy.next(5), instanceOf(GiveUp.class));
  }

  @Test
  public void noRetriesGivesUpAtTheFirstFailureSayingRestartsAreOff() {
    RestartStrategy.Decision first = RestartStrategy.none().next(0);

    assertThat(first, instanceOf(GiveUp.class));
    assertThat(((GiveUp) first).reason(), containsString("restarts are off"));
  }

  @Test
  public void aNegativeCountOfRestartsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RestartStrategy(1, 0).next(-1));
  }
}
