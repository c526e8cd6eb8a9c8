package dev.weir.runner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.weir.web.view.StageDetail;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.junit.Test;

/**
 * The coordinator's view reads a job's subtasks once per generation: within one tick of its clock
 * and without a change of state every read gives the same stages and metrics; the job ending makes
 * a new generation (and state generation) at once, so the ended job's final counts show without
 * waiting for the tick; the next tick reads again.
 */
public class CoordinatorViewGenerationsTest {
  private static volatile CountDownLatch reached;
  private static volatile CountDownLatch release;

  /** Holds element 3 (bounded) until the test has read the running job. */
  private static final class Hold extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) throws Exception {
      if (x == 3) {
        reached.countDown();
        if (!release.await(120, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never released the held element");
        }
      }
      out.output(x);
    }
  }

  @Test
  public void oneReadingPerGenerationAndANewGenerationAtOnceWhenTheJobEnds() throws Exception {
    reached = new CountDownLatch(1);
    release = new CountDownLatch(1);
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs("--runner=WeirRunner", "--parallelism=1").create());
    p.apply("Numbers", Create.of(IntStream.range(0, 10).boxed().collect(Collectors.toList())))
        .apply("Hold", ParDo.of(new Hold()))
        .apply("Shuffle", Reshuffle.viaRandomKey());
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    JobCoordinator job = (JobCoordinator) result.handle();
    AtomicLong clock = new AtomicLong(0);
    CoordinatorView view =
        new CoordinatorView(() -> List.of(job), List::of, name -> null, 1000, clock::get);
    String id = job.jobId();
    long runningState;
    try {
      assertTrue("the held element was reached", reached.await(120, TimeUnit.SECONDS));
      List<StageDetail> running = view.stages(id).orElseThrow();
      long generation = view.generation();
      long state = view.stateGeneration();
      // Subtasks may still end while the element is held (the source's): each is a new state.
      // Once none does, the clock standing still keeps the generation and its reading.
      long deadline = System.currentTimeMillis() + 60_000;
      while (view.generation() != generation && System.currentTimeMillis() < deadline) {
        running = view.stages(id).orElseThrow();
        generation = view.generation();
        state = view.stateGeneration();
        Thread.sleep(200);
      }
      assertEquals(generation, view.generation());
      assertSame(running, view.stages(id).orElseThrow());
      assertSame(view.metrics(id).orElseThrow(), view.metrics(id).orElseThrow());

      // The next tick: a new generation of the same state, read anew.
      clock.addAndGet(1000);
      assertEquals(generation + 1, view.generation());
      assertEquals(state, view.stateGeneration());
      assertNotSame(running, view.stages(id).orElseThrow());
      runningState = state;
    } finally {
      release.countDown();
    }
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    // The clock stands still: the job's end alone makes the new generation.
    long endedState = view.stateGeneration();
    assertTrue(endedState > runningState);
    List<StageDetail> done = view.stages(id).orElseThrow();
    for (StageDetail stage : done) {
      for (StageDetail.SubtaskStatus s : stage.subtasks()) {
        assertTrue(s.toString(), s.ended());
      }
    }
    assertEquals("DONE", view.job(id).orElseThrow().summary().state());
    assertEquals(endedState, view.stateGeneration());
    assertSame(done, view.stages(id).orElseThrow());
  }
}
