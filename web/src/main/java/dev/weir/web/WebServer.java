package dev.weir.web;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.weir.web.view.ClusterView;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's read-only HTTP server on the JDK's {@code com.sun.net.httpserver}: the REST
 * API under {@code /api/v1}, Prometheus metrics at {@code /metrics}, the web UI's files at {@code
 * /}. Every request passes the {@link RequestGate} first. Requests are served by at most {@value
 * #THREADS} threads with {@value #QUEUE} waiting; beyond that the accepting thread serves them
 * itself, which slows accepting down instead of queueing without bound. No request body is ever
 * read. {@code /metrics} and the API's responses are built once per generation of the view and
 * sent again to every request of it ({@link RenderedResponses}).
 *
 * <p>Every response carries {@code Content-Security-Policy: default-src 'self'} (the UI loads
 * nothing from elsewhere and runs no inline script), {@code X-Content-Type-Options: nosniff},
 * {@code X-Frame-Options: DENY}, {@code Cache-Control: no-store} and {@code Referrer-Policy:
 * no-referrer}, and no CORS header, so other origins' pages cannot read it.
 */
public final class WebServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
  static final int THREADS = 4;
  static final int QUEUE = 64;
  static final String CSP = "default-src 'self'";
  static final String NODELAY = "sun.net.httpserver.nodelay";

  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final ThreadPoolExecutor refresher;
  private final String url;

  private WebServer(
      HttpServer server, ThreadPoolExecutor executor, ThreadPoolExecutor refresher, String url) {
    this.server = server;
    this.executor = executor;
    this.refresher = refresher;
    this.url = url;
  }

  /**
   * Starts serving {@code view} as {@code settings} say and logs the URL.
   *
   * @throws IllegalArgumentException for a non-loopback address without a token or {@code
   *     --webInsecure}, naming the option
   * @throws UncheckedIOException if the port cannot be bound
   */
  public static WebServer start(WebSettings settings, ClusterView view) {
    settings.check();
    RequestGate gate = new RequestGate(settings);
    RestApi api = new RestApi(view, settings.cancelToken().isPresent());
    StaticFiles files = new StaticFiles();
    // Builds newer responses while the kept ones serve, and keeps the paths being read warm
    // (RenderedResponses); one rendering at a time. Its queue holds at most one task per kept path
    // and one tick.
    ScheduledThreadPoolExecutor refresher =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "weir-web-refresh");
              t.setDaemon(true);
              return t;
            });
    refresher.setKeepAliveTime(30, TimeUnit.SECONDS);
    refresher.allowCoreThreadTimeOut(true);
    refresher.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    RenderedResponses rendered = new RenderedResponses(refresher, view);
    AtomicInteger threads = new AtomicInteger();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "weir-web-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.CallerRunsPolicy());
    executor.allowCoreThreadTimeOut(true);
    // Without TCP_NODELAY a response whose last segment is small waits for the client's delayed
    // ACK: about 40 ms on Linux for a 33 KB jobs/{id} (WebLatencyBenchmark). The JDK's server reads
    // this once, when its first server in the JVM is made; a value set on the command line wins.
    if (System.getProperty(NODELAY) == null) {
      System.setProperty(NODELAY, "true");
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(settings.address(), settings.port()), 64);
    } catch (IOException e) {
      executor.shutdownNow();
      refresher.shutdownNow();
      throw new UncheckedIOException(
          "Cannot listen on --webBind=" + settings.bind() + " --webPort=" + settings.port(), e);
    }
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(exchange, settings, gate, api, files, view, rendered));
    server.start();
    String host = settings.address().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    if (settings.loopbackOnly()) {
      // The Host check accepts localhost and 127.0.0.1, so the URL a user opens passes it.
      host = settings.address() instanceof java.net.Inet6Address ? "[::1]" : "127.0.0.1";
    }
    String url = "http://" + host + ":" + server.getAddress().getPort() + "/";
    if (settings.insecure() && settings.token().isEmpty() && !settings.loopbackOnly()) {
      LOG.warn(
          "The web UI at {} runs with --webInsecure: anyone who reaches it reads the cluster's"
              + " jobs, options and metrics without authentication",
          url);
    }
    LOG.info(
        "Web UI and REST API at {}{}",
        url,
        settings.token().isPresent() ? " (API and metrics need the cluster secret as bearer token)" : "");
    return new WebServer(server, executor, refresher, url);
  }

  private static void handle(
      HttpExchange exchange,
      WebSettings settings,
      RequestGate gate,
      RestApi api,
      StaticFiles files,
      ClusterView view,
      RenderedResponses rendered)
      throws IOException {
    try (exchange) {
      Headers in = exchange.getRequestHeaders();
      RequestGate.Verdict verdict =
          gate.check(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getRawPath(),
              in.getFirst("Host"),
              in.getFirst("Authorization"),
              in.getFirst("Content-Length"),
              in.containsKey("Transfer-Encoding"));
      Headers out = exchange.getResponseHeaders();
      out.set("Content-Security-Policy", CSP);
      out.set("X-Content-Type-Options", "nosniff");
      out.set("X-Frame-Options", "DENY");
      out.set("Cache-Control", "no-store");
      out.set("Referrer-Policy", "no-referrer");
      Response response;
      if (!verdict.served()) {
        if (verdict.status() == 405) {
          out.set("Allow", "GET");
        } else if (verdict.status() == 401) {
          out.set("WWW-Authenticate", "Bearer realm=\"weir\"");
        }
        response = Response.error(verdict.status(), verdict.message());
      } else {
        response =
            exchange.getRequestMethod().equals("POST")
                ? cancel(verdict.segments(), api)
                : routeOrKept(
                    verdict.segments(), api, files, view, settings.metricsPerSubtask(), rendered);
      }
      out.set("Content-Type", response.contentType());
      if (exchange.getRequestMethod().equals("HEAD")) {
        // A HEAD response has no body; the server refuses bytes written to it.
        exchange.sendResponseHeaders(response.status(), -1);
        return;
      }
      exchange.sendResponseHeaders(response.status(), response.body().length);
      try (OutputStream body = exchange.getResponseBody()) {
        body.write(response.body());
      }
    }
  }

  /** The gate let through a POST only to {@code api/v1/jobs/{id}/cancel}, with the secret. */
  private static Response cancel(List<String> path, RestApi api) {
    try {
      LOG.info("Job {}: cancel requested through the web API", path.get(3));
      return api.cancel(path.subList(2, path.size()));
    } catch (RuntimeException e) {
      LOG.warn("Web cancel of /{} failed", String.join("/", path), e);
      return Response.error(500, "internal error; see the coordinator's log");
    }
  }

  /**
   * {@link #route}, or the response built for the same path at the view's current generation.
   * Static files are not kept (they are read from the jar), nor {@code watermarks}, whose
   * lag is to the clock at the request.
   */
  private static Response routeOrKept(
      List<String> path,
      RestApi api,
      StaticFiles files,
      ClusterView view,
      boolean metricsPerSubtask,
      RenderedResponses rendered) {
    boolean metrics = path.size() == 1 && path.get(0).equals("metrics");
    boolean rest = path.size() >= 2 && path.get(0).equals("api") && path.get(1).equals("v1");
    if ((!metrics && !rest) || path.get(path.size() - 1).equals("watermarks")) {
      return route(path, api, files, view, metricsPerSubtask);
    }
    long generation;
    long stateGeneration;
    try {
      // The state's first: a state change between the two reads then looks like a new state.
      stateGeneration = view.stateGeneration();
      generation = view.generation();
    } catch (RuntimeException e) {
      LOG.warn("Reading the cluster view's generation failed", e);
      return Response.error(500, "internal error; see the coordinator's log");
    }
    return rendered.get(
        String.join("/", path),
        generation,
        stateGeneration,
        () -> route(path, api, files, view, metricsPerSubtask));
  }

  private static Response route(
      List<String> path,
      RestApi api,
      StaticFiles files,
      ClusterView view,
      boolean metricsPerSubtask) {
    try {
      if (path.size() >= 2 && path.get(0).equals("api") && path.get(1).equals("v1")) {
        return api.get(path.subList(2, path.size()));
      }
      if (path.size() == 1 && path.get(0).equals("metrics")) {
        return new Response(
            200,
            PrometheusText.CONTENT_TYPE,
            ClusterMetrics.scrape(view, metricsPerSubtask).getBytes(StandardCharsets.UTF_8));
      }
      return files.get(path);
    } catch (RuntimeException e) {
      // The cause goes to the log only: it may name internals a reader should not see.
      LOG.warn("Web request for /{} failed", String.join("/", path), e);
      return Response.error(500, "internal error; see the coordinator's log");
    }
  }

  /** The port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The URL to open, e.g. {@code http://127.0.0.1:8081/}. */
  public String url() {
    return url;
  }

  /** Stops at once; requests in flight are cut off. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    refresher.shutdownNow();
  }
}
