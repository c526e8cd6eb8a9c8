package dev.weir.web;

import dev.weir.web.view.ClusterView;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The responses built at the view's newest {@link ClusterView#generation() generations}, by
 * request path: every request for a path at the generation it was built at gets the same bytes, so
 * the server renders {@code /metrics} or {@code jobs/{id}} once per generation, not once per client.
 *
 * <p>When only the readings are newer (same {@link ClusterView#stateGeneration() state
 * generation}) and the kept response was built less than {@value #STALE_MILLIS} ms ago, the kept
 * one is served at once and a newer one is built on {@code refresher}, one per path at a time: a
 * client that reads often (the UI, a tight scraper) never waits for a rendering, and sees counts
 * at most that much older. A change of state, or a kept response older than that, is rendered on
 * the request's thread, so a reader never sees a job's old state after a new one.
 *
 * <p>Only 200 responses are kept (an unknown id is not), at most {@value #MAX_PATHS} paths.
 * Thread-safe.
 */
final class RenderedResponses {
  static final int MAX_PATHS = 256;
  static final long STALE_MILLIS = 2_000;

  private record Kept(long generation, long stateGeneration, long builtAtMillis, Response response) {}

  private final Executor refresher;
  private final LongSupplier clock;
  private final Map<String, Kept> byPath = new HashMap<>();
  private final Set<String> refreshing = new HashSet<>();

  RenderedResponses(Executor refresher) {
    this(refresher, System::currentTimeMillis);
  }

  RenderedResponses(Executor refresher, LongSupplier clock) {
    this.refresher = refresher;
    this.clock = clock;
  }

  /**
   * The response to {@code path} at {@code generation} (of state {@code stateGeneration}): a kept
   * one, or {@code render}'s.
   */
  Response get(String path, long generation, long stateGeneration, Supplier<Response> render) {
    if (generation == ClusterView.NO_GENERATION) {
      return render.get();
    }
    long now = clock.getAsLong();
    synchronized (this) {
      Kept kept = byPath.get(path);
      if (kept != null && kept.generation() >= generation) {
        return kept.response();
      }
      if (kept != null
          && kept.stateGeneration() == stateGeneration
          && now - kept.builtAtMillis() < STALE_MILLIS) {
        if (refreshing.add(path)) {
          try {
            refresher.execute(() -> refresh(path, generation, stateGeneration, render));
          } catch (RuntimeException e) {
            // Refused (the server closes): the kept one serves.
            refreshing.remove(path);
          }
        }
        return kept.response();
      }
    }
    Response fresh = render.get();
    keep(path, generation, stateGeneration, now, fresh);
    return fresh;
  }

  private void refresh(String path, long generation, long stateGeneration, Supplier<Response> render) {
    long now = clock.getAsLong();
    try {
      keep(path, generation, stateGeneration, now, render.get());
    } finally {
      synchronized (this) {
        refreshing.remove(path);
      }
    }
  }

  private synchronized void keep(
      String path, long generation, long stateGeneration, long builtAt, Response response) {
    if (response.status() != 200) {
      return;
    }
    Kept kept = byPath.get(path);
    if (kept != null && kept.generation() >= generation) {
      // A newer one came meanwhile: what this request read is older.
      return;
    }
    if (kept == null && byPath.size() >= MAX_PATHS) {
      byPath.values().removeIf(k -> k.stateGeneration() < stateGeneration);
      if (byPath.size() >= MAX_PATHS) {
        return;
      }
    }
    byPath.put(path, new Kept(generation, stateGeneration, builtAt, response));
  }
}
