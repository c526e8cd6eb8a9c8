package dev.weir.web;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import dev.weir.web.view.ClusterView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.Test;

public class RenderedResponsesTest {
  private final AtomicInteger renders = new AtomicInteger();
  private final AtomicLong clock = new AtomicLong(1_000_000);
  // Background renderings run when the test says.
  private final Queue<Runnable> background = new ArrayDeque<>();
  // The view's generations, read at the ticks; the tests call the ticks.
  private final AtomicLong stateGeneration = new AtomicLong(5);
  private final AtomicLong generation = new AtomicLong(5);
  private final Queue<Runnable> ticks = new ArrayDeque<>();
  private final RenderedResponses kept =
      new RenderedResponses(
          background::add,
          (task, delayMillis) -> {
            assertEquals(RenderedResponses.TICK_MILLIS, delayMillis);
            ticks.add(task);
          },
          clock::get,
          stateGeneration::get,
          generation::get);

  /** Runs the tick scheduled (there is at most one), as the refresh thread would. */
  private void tick() {
    assertEquals(1, ticks.size());
    ticks.poll().run();
  }

  private Supplier<Response> render(int status) {
    return () -> Response.json(status, "{\"n\":" + renders.incrementAndGet() + "}");
  }

  private static String body(Response r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  public void aPathIsRenderedOncePerGenerationAndAtOnceAfterAChangeOfState() {
    Response first = kept.get("metrics", 5, 5, render(200));
    assertSame(first, kept.get("metrics", 5, 5, render(200)));
    assertEquals(1, renders.get());
    // Another path at the same generation is its own rendering.
    kept.get("api/v1/jobs/j", 5, 5, render(200));
    assertEquals(2, renders.get());
    // A new state: rendered on the request, never the old state's response.
    Response next = kept.get("metrics", 6, 6, render(200));
    assertEquals("{\"n\":3}", body(next));
    assertSame(next, kept.get("metrics", 6, 6, render(200)));
    assertEquals(3, renders.get());
    assertEquals(0, background.size());
  }

  @Test
  public void newerReadingsOfTheSameStateServeTheKeptResponseWhileOneRendersInTheBackground() {
    Response first = kept.get("metrics", 5, 5, render(200));
    clock.addAndGet(RenderedResponses.STALE_MILLIS - 1);
    assertSame(first, kept.get("metrics", 6, 5, render(200)));
    assertSame(first, kept.get("metrics", 6, 5, render(200)));
    // One background rendering per path at a time.
    assertEquals(1, background.size());
    assertEquals(1, renders.get());
    background.poll().run();
    assertEquals("{\"n\":2}", body(kept.get("metrics", 6, 5, render(200))));
    assertEquals(2, renders.get());
  }

  @Test
  public void aKeptResponseTooOldIsRenderedAgainOnTheRequest() {
    kept.get("metrics", 5, 5, render(200));
    clock.addAndGet(RenderedResponses.STALE_MILLIS);
    assertEquals("{\"n\":2}", body(kept.get("metrics", 6, 5, render(200))));
    assertEquals(0, background.size());
  }

  @Test
  public void aViewWithoutGenerationsIsReadAtEveryRequest() {
    kept.get("metrics", ClusterView.NO_GENERATION, ClusterView.NO_GENERATION, render(200));
    kept.get("metrics", ClusterView.NO_GENERATION, ClusterView.NO_GENERATION, render(200));
    assertEquals(2, renders.get());
  }

  @Test
  public void errorsAreNotKept() {
    kept.get("api/v1/jobs/none", 1, 1, render(404));
    kept.get("api/v1/jobs/none", 1, 1, render(404));
    assertEquals(2, renders.get());
  }

  @Test
  public void aResponseOfAnOlderGenerationIsNotKeptOverANewerOne() {
    kept.get("metrics", 7, 7, render(200));
    // A request that read generation 8 renders; one still at 7 gets the kept one.
    kept.get("metrics", 8, 8, render(200));
    assertEquals("{\"n\":2}", body(kept.get("metrics", 7, 7, render(200))));
    assertEquals(2, renders.get());
  }

  @Test
  public void atMostMaxPathsAreKept() {
    for (int i = 0; i <= RenderedResponses.MAX_PATHS; i++) {
      kept.get("api/v1/jobs/" + i, 1, 1, render(200));
    }
    int afterFill = renders.get();
    kept.get("api/v1/jobs/0", 1, 1, render(200));
    kept.get("api/v1/jobs/" + RenderedResponses.MAX_PATHS, 1, 1, render(200));
    // The first paths stay kept; the one past the bound renders every time.
    assertEquals(afterFill + 1, renders.get());
  }

  @Test
  public void aPathReadOnceIsRenderedAgainOnANewGenerationWithoutARequest() {
    kept.get("metrics", 5, 5, render(200));
    // Same generation: nothing to do.
    clock.addAndGet(RenderedResponses.TICK_MILLIS);
    tick();
    assertEquals(0, background.size());
    // Newer readings, and 10 s later (past STALE_MILLIS), as a 15 s scraper would find them.
    generation.set(6);
    clock.addAndGet(10_000);
    tick();
    assertEquals(1, background.size());
    background.poll().run();
    assertEquals(2, renders.get());
    // The scrape gets the kept rendering of generation 6 at once.
    clock.addAndGet(5_000);
    assertEquals("{\"n\":2}", body(kept.get("metrics", 6, 5, render(200))));
    assertEquals(2, renders.get());
  }

  @Test
  public void aNewStateIsRenderedInTheBackgroundForAWarmPathAndServedAfter() {
    kept.get("metrics", 5, 5, render(200));
    stateGeneration.set(6);
    generation.set(6);
    tick();
    background.poll().run();
    assertEquals("{\"n\":2}", body(kept.get("metrics", 6, 6, render(200))));
    assertEquals(2, renders.get());
  }

  @Test
  public void aPathNotReadForTheWarmWindowIsNotRenderedAndTheTicksStop() {
    kept.get("metrics", 5, 5, render(200));
    clock.addAndGet(RenderedResponses.WARM_MILLIS - 1);
    generation.set(6);
    tick();
    background.poll().run();
    assertEquals(2, renders.get());
    // One more millisecond and a newer generation: no longer read lately.
    clock.addAndGet(1);
    generation.set(7);
    tick();
    assertEquals(0, background.size());
    assertEquals(0, ticks.size());
    assertEquals(2, renders.get());
    // Read again: warm again, the ticks restart.
    kept.get("metrics", 7, 5, render(200));
    assertEquals(1, ticks.size());
  }

  @Test
  public void nothingIsScheduledBeforeAnyRead() {
    assertEquals(0, ticks.size());
    kept.get("metrics", ClusterView.NO_GENERATION, ClusterView.NO_GENERATION, render(200));
    assertEquals(0, ticks.size());
  }

  @Test
  public void aChangeOfStateIsStillRenderedOnTheRequestWhenTheBackgroundHasNotStarted() {
    kept.get("metrics", 5, 5, render(200));
    stateGeneration.set(6);
    generation.set(6);
    tick();
    // The tick queued a rendering of the new state; the request does not wait for the queue.
    assertEquals(1, background.size());
    assertEquals("{\"n\":2}", body(kept.get("metrics", 6, 6, render(200))));
    // The queued one finds generation 6 kept and does not render again.
    background.poll().run();
    assertEquals(2, renders.get());
  }

  @Test
  public void aRequestForANewStateWaitsForTheBackgroundRenderingUnderWayInsteadOfRenderingAgain()
      throws Exception {
    kept.get("metrics", 5, 5, render(200));
    stateGeneration.set(6);
    generation.set(6);
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
    // The warm path's render is the last request's: make the next one block mid-rendering.
    kept.get(
        "metrics",
        5,
        5,
        () -> {
          started.countDown();
          try {
            finish.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return Response.json(200, "{\"n\":\"background\"}");
        });
    tick();
    Thread refresh = new Thread(background.poll(), "refresh");
    refresh.start();
    started.await();
    java.util.concurrent.atomic.AtomicReference<Response> got =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread request = new Thread(() -> got.set(kept.get("metrics", 6, 6, render(200))), "request");
    request.start();
    // The request parks on the rendering under way (generous bound; no sleep decides the result).
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    while (request.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(Thread.State.WAITING, request.getState());
    finish.countDown();
    request.join(60_000);
    refresh.join(60_000);
    // It got the background rendering, not one of its own.
    assertEquals("{\"n\":\"background\"}", body(got.get()));
    assertEquals(1, renders.get());
  }

  @Test
  public void atMostWarmPathsAreRenderedPerTick() {
    for (int i = 0; i < RenderedResponses.WARM_PATHS + 4; i++) {
      kept.get("api/v1/jobs/" + i, 5, 5, render(200));
    }
    generation.set(6);
    tick();
    // One queued per path; the executor runs them in turn.
    assertEquals(RenderedResponses.WARM_PATHS, background.size());
  }
}
