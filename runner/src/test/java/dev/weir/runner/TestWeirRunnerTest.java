package dev.weir.runner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class TestWeirRunnerTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private static int stateDirectories(File parent) {
    String[] names = parent.list((dir, name) -> name.startsWith("weir-state-"));
    return names == null ? 0 : names.length;
  }

  private static boolean isWaitingForTheJob(Thread thread) {
    for (StackTraceElement frame : thread.getStackTrace()) {
      if (frame.getClassName().equals(WeirPipelineResult.class.getName())
          && frame.getMethodName().startsWith("waitUntilFinish")) {
        return thread.getState() == Thread.State.WAITING;
      }
    }
    return false;
  }

  private static void await(String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertTrue("timed out waiting until " + what, System.nanoTime() < deadline);
      Thread.sleep(20);
    }
  }

  /**
   * A test harness that gives up on a test interrupts the thread in {@code run}; the job must not
   * go on running, holding its cluster and its RocksDB state directories, until the JVM exits.
   */
  @Test
  public void anInterruptedRunCancelsTheJobAndRemovesItsStateDirectories() throws Exception {
    File stateParent = temp.newFolder();
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=TestWeirRunner", "--stateDirectory=" + stateParent)
                .create());
    p.apply(GenerateSequence.from(0).withRate(100, Duration.standardSeconds(1)))
        .apply(Window.into(FixedWindows.of(Duration.standardSeconds(1))))
        .apply(Count.perElement());
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread runner =
        new Thread(
            () -> {
              try {
                p.run();
              } catch (Throwable t) {
                thrown.set(t);
              }
            });
    runner.start();
    await("the job has opened its state", () -> stateDirectories(stateParent) > 0);
    // As a watchdog does, long after start: the test thread is waiting for the job's end.
    await("run waits for the job", () -> isWaitingForTheJob(runner));

    runner.interrupt();
    runner.join(TimeUnit.SECONDS.toMillis(60));
    assertEquals("run returned", false, runner.isAlive());
    assertNotNull("run reports the interruption", thrown.get());
    await("the state directories are removed", () -> stateDirectories(stateParent) == 0);
  }

  /**
   * Beam's suites set options for every test: with only --checkpointingInterval a test still runs
   * (in a checkpoint directory of its own) instead of failing for want of --checkpointDir.
   */
  @Test
  public void anIntervalWithoutADirectoryRunsInATemporaryCheckpointDirectory() {
    WeirPipelineOptions options =
        PipelineOptionsFactory.fromArgs("--runner=TestWeirRunner", "--checkpointingInterval=100")
            .as(WeirPipelineOptions.class);
    Pipeline p = Pipeline.create(options);
    p.apply(GenerateSequence.from(0).to(100)).apply(Count.globally());

    WeirPipelineResult result = (WeirPipelineResult) p.run();

    assertEquals(org.apache.beam.sdk.PipelineResult.State.DONE, result.getState());
    assertEquals("the run's own directory is not left in the options", null,
        options.getCheckpointDir());
  }
}
