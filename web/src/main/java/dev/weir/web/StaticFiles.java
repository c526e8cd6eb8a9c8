package dev.weir.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The web UI's files: a fixed allowlist read from this jar's resources once, at start. A request
 * names an entry of the list, never a file: nothing outside it can be served, however the path is
 * spelled.
 */
final class StaticFiles {
  private static final String ROOT = "/dev/weir/web/static/";

  private static final Map<String, String> TYPES =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "app.js", "text/javascript; charset=utf-8",
          "style.css", "text/css; charset=utf-8");

  private final Map<String, Response> files;

  StaticFiles() {
    Map<String, Response> loaded = new java.util.HashMap<>();
    for (Map.Entry<String, String> e : TYPES.entrySet()) {
      try (InputStream in = StaticFiles.class.getResourceAsStream(ROOT + e.getKey())) {
        if (in == null) {
          throw new IllegalStateException("the web UI's " + e.getKey() + " is not in the jar");
        }
        loaded.put(e.getKey(), new Response(200, e.getValue(), in.readAllBytes()));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    this.files = Map.copyOf(loaded);
  }

  /** The file at {@code path} ({@code /} is {@code index.html}), or a 404. */
  Response get(List<String> path) {
    String name = path.isEmpty() ? "index.html" : path.size() == 1 ? path.get(0) : null;
    Response file = name == null ? null : files.get(name);
    return file != null ? file : Response.error(404, "no such file");
  }
}
