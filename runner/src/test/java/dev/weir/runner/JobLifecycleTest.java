package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.Test;

public class JobLifecycleTest {

  private static Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=WeirRunner").create());
  }

  /** Threads Weir starts for a job; all must be gone once the job has ended. */
  private static List<String> weirThreads() {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith("weir-")) {
        names.add(t.getName());
      }
    }
    return names;
  }

  private static void awaitNoWeirThreads() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!weirThreads().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(List.of(), weirThreads());
  }

  @Test
  public void finishedJobReleasesItsThreads() throws Exception {
    Pipeline p = pipeline();
    p.apply(Create.of(1, 2, 3)).apply(Count.globally());
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    awaitNoWeirThreads();
  }

  @Test
  public void failedJobReleasesItsThreads() throws Exception {
    Pipeline p = pipeline();
    p.apply(Create.of(1, 2, 3))
        .apply(
            MapElements.into(TypeDescriptors.integers())
                .via(
                    (Integer x) -> {
                      throw new IllegalStateException("fails on " + x);
                    }));
    PipelineResult result = p.run();
    assertThrows(Pipeline.PipelineExecutionException.class, result::waitUntilFinish);
    assertEquals(PipelineResult.State.FAILED, result.getState());
    awaitNoWeirThreads();
  }

  /** Never returns from its first element: the job can make no more progress. */
  private static class StuckFn extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer element) throws InterruptedException {
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  @Test
  public void jobThatCanMakeNoProgressFailsNamingTheStuckStage() throws Exception {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs("--runner=WeirRunner", "--noProgressTimeoutSeconds=2")
                .create());
    p.apply(Create.of(1, 2, 3))
        .apply("NeverReturns", ParDo.of(new StuckFn()))
        .apply(Count.globally());
    PipelineResult result = p.run();
    Pipeline.PipelineExecutionException e =
        assertThrows(Pipeline.PipelineExecutionException.class, result::waitUntilFinish);
    assertThat(e.getCause().getMessage(), containsString("made no progress"));
    assertThat(e.getCause().getMessage(), containsString("NeverReturns"));
    assertEquals(PipelineResult.State.FAILED, result.getState());
    awaitNoWeirThreads();
  }

  @Test
  public void waitWithTimeoutReturnsNullWhileRunningAndCancelStopsTheJob() throws Exception {
    Pipeline p = pipeline();
    p.apply(GenerateSequence.from(0).withRate(100, Duration.standardSeconds(1)))
        .apply(Window.<Long>into(FixedWindows.of(Duration.standardSeconds(1))))
        .apply(Count.perElement());
    PipelineResult result = p.run();
    assertNull(result.waitUntilFinish(Duration.millis(300)));
    assertEquals(PipelineResult.State.RUNNING, result.getState());
    assertEquals(PipelineResult.State.CANCELLED, result.cancel());
    assertEquals(PipelineResult.State.CANCELLED, result.waitUntilFinish());
    assertTrue(result.getState().isTerminal());
    awaitNoWeirThreads();
  }
}
