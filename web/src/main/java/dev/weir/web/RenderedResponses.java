package dev.weir.web;

import dev.weir.web.view.ClusterView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * the request's thread (or the request waits for a background rendering of it already under way),
 * so a reader never sees a job's old state after a new one.
 *
 * <p>A path read within the last {@value #WARM_MILLIS} ms is <em>warm</em>: every {@value
 * #TICK_MILLIS} ms the view's generation is read and each warm path whose kept response is older
 * is rendered again on {@code refresher}, without a request. So a reader who comes seldom (a
 * Prometheus scrape every 15 s) finds a response about one generation old, not one it must wait
 * for. 60 s is four default scrape intervals: a scraper that misses a scrape or two stays warm,
 * and a closed UI tab or a stopped scraper costs at most a minute of renderings. At most {@value
 * #WARM_PATHS} paths are warm (the most recently read), since each costs a rendering per
 * generation on the one background thread; with none warm nothing is scheduled (an idle server
 * does no work).
 *
 * <p>Only 200 responses are kept (an unknown id is not), at most {@value #MAX_PATHS} paths.
 * Thread-safe.
 */
final class RenderedResponses {
  private static final Logger LOG = LoggerFactory.getLogger(RenderedResponses.class);

  static final int MAX_PATHS = 256;
  static final long STALE_MILLIS = 2_000;
  static final long WARM_MILLIS = 60_000;
  static final int WARM_PATHS = 16;
  static final long TICK_MILLIS = 250;

  /** Runs a task once after a delay; the server's is its refresh thread. */
  interface Timer {
    void schedule(Runnable task, long delayMillis);
  }

  private record Kept(long generation, long stateGeneration, long builtAtMillis, Response response) {}

  /** A path read lately: when, and how to render it. */
  private record Warm(long readAtMillis, Supplier<Response> render) {}

  /** A background rendering of one path, queued or under way. */
  private static final class Rendering {
    final long generation;
    final CompletableFuture<Response> done = new CompletableFuture<>();
    volatile boolean started;

    Rendering(long generation) {
      this.generation = generation;
    }
  }

  private final Executor refresher;
  private final Timer timer;
  private final LongSupplier clock;
  private final LongSupplier stateGenerations;
  private final LongSupplier generations;
  private final Map<String, Kept> byPath = new HashMap<>();
  private final Map<String, Rendering> refreshing = new HashMap<>();
  // Least recently read first.
  private final LinkedHashMap<String, Warm> warm = new LinkedHashMap<>(16, 0.75f, true);
  private boolean tickScheduled;

  /** Renders in the background on {@code refresher}, reading {@code view}'s generations. */
  RenderedResponses(ScheduledExecutorService refresher, ClusterView view) {
    this(
        refresher,
        (task, delayMillis) -> refresher.schedule(task, delayMillis, TimeUnit.MILLISECONDS),
        System::currentTimeMillis,
        view::stateGeneration,
        view::generation);
  }

  /**
   * @param stateGenerations and {@code generations}: the view's, read in this order (as a request
   *     reads them) at each tick while some path is warm
   */
  RenderedResponses(
      Executor refresher,
      Timer timer,
      LongSupplier clock,
      LongSupplier stateGenerations,
      LongSupplier generations) {
    this.refresher = refresher;
    this.timer = timer;
    this.clock = clock;
    this.stateGenerations = stateGenerations;
    this.generations = generations;
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
    Rendering underWay;
    synchronized (this) {
      read(path, now, render);
      Kept kept = byPath.get(path);
      if (kept != null && kept.generation() >= generation) {
        return kept.response();
      }
      if (kept != null
          && kept.stateGeneration() == stateGeneration
          && now - kept.builtAtMillis() < STALE_MILLIS) {
        refreshInBackground(path, generation, stateGeneration, render);
        return kept.response();
      }
      underWay = refreshing.get(path);
    }
    if (underWay != null && underWay.started && underWay.generation >= generation) {
      // Started after this request's generation: as new as a rendering here, and sooner.
      Response done = underWay.done.join();
      if (done != null && done.status() == 200) {
        return done;
      }
    }
    Response fresh = render.get();
    keep(path, generation, stateGeneration, now, fresh);
    return fresh;
  }

  /** Notes a read of {@code path}; the first warm path starts the ticks. Holds the lock. */
  private void read(String path, long now, Supplier<Response> render) {
    warm.put(path, new Warm(now, render));
    if (warm.size() > WARM_PATHS) {
      Iterator<String> eldest = warm.keySet().iterator();
      eldest.next();
      eldest.remove();
    }
    scheduleTick();
  }

  private void scheduleTick() {
    if (tickScheduled) {
      return;
    }
    try {
      timer.schedule(this::tick, TICK_MILLIS);
      tickScheduled = true;
    } catch (RuntimeException e) {
      // Refused (the server closes): nothing more to keep warm.
    }
  }

  /**
   * Forgets the paths not read for {@value #WARM_MILLIS} ms and renders the others in the
   * background where the view has a newer generation; schedules the next tick while some remain.
   */
  void tick() {
    long now = clock.getAsLong();
    List<Map.Entry<String, Warm>> paths;
    synchronized (this) {
      tickScheduled = false;
      warm.values().removeIf(w -> now - w.readAtMillis() >= WARM_MILLIS);
      if (warm.isEmpty()) {
        return;
      }
      paths = new ArrayList<>(warm.entrySet());
    }
    long stateGeneration;
    long generation;
    try {
      stateGeneration = stateGenerations.getAsLong();
      generation = generations.getAsLong();
    } catch (RuntimeException e) {
      LOG.warn("Reading the cluster view's generation failed", e);
      synchronized (this) {
        scheduleTick();
      }
      return;
    }
    synchronized (this) {
      for (Map.Entry<String, Warm> path : paths) {
        Kept kept = byPath.get(path.getKey());
        if (kept == null) {
          // Not kept (an error, or past MAX_PATHS): not kept warm either, until read again.
          warm.remove(path.getKey());
        } else if (kept.generation() < generation) {
          refreshInBackground(path.getKey(), generation, stateGeneration, path.getValue().render());
        }
      }
      if (!warm.isEmpty()) {
        scheduleTick();
      }
    }
  }

  /** Queues a rendering of {@code path} unless one is queued or under way. Holds the lock. */
  private void refreshInBackground(
      String path, long generation, long stateGeneration, Supplier<Response> render) {
    if (refreshing.containsKey(path)) {
      return;
    }
    Rendering rendering = new Rendering(generation);
    refreshing.put(path, rendering);
    try {
      refresher.execute(() -> refresh(path, rendering, stateGeneration, render));
    } catch (RuntimeException e) {
      // Refused (the server closes): the kept one serves.
      refreshing.remove(path);
      rendering.done.complete(null);
    }
  }

  private void refresh(
      String path, Rendering rendering, long stateGeneration, Supplier<Response> render) {
    Response response = null;
    try {
      synchronized (this) {
        Kept kept = byPath.get(path);
        if (kept != null && kept.generation() >= rendering.generation) {
          // A request rendered it meanwhile.
          response = kept.response();
          return;
        }
        rendering.started = true;
      }
      long now = clock.getAsLong();
      response = render.get();
      keep(path, rendering.generation, stateGeneration, now, response);
    } finally {
      synchronized (this) {
        refreshing.remove(path);
      }
      rendering.done.complete(response);
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
