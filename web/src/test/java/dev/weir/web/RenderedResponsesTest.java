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
  private final RenderedResponses kept = new RenderedResponses(background::add, clock::get);

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
}
