package dev.weir.web;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.After;
import org.junit.Test;

/** The web server's safe defaults, each tried from the outside over a raw socket. */
public class WebServerSecurityTest {
  private static final String TOKEN = "s3cret-token";
  private WebServer server;

  @After
  public void stop() {
    if (server != null) {
      server.close();
    }
  }

  private RawHttp start(WebSettings settings) {
    server = WebServer.start(settings, new FakeClusterView());
    return new RawHttp(server.port());
  }

  @Test
  public void listensOnLoopbackByDefault() throws Exception {
    WebSettings defaults = WebSettings.loopback(0);
    assertEquals("127.0.0.1", defaults.bind());
    start(defaults);
    assertTrue(InetAddress.getByName(defaults.bind()).isLoopbackAddress());
    assertThat(server.url(), containsString("http://127.0.0.1:" + server.port() + "/"));
  }

  @Test
  public void nonLoopbackBindWithoutTokenRefusesToStart() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                WebServer.start(
                    new WebSettings("0.0.0.0", 0, Optional.empty(), false), new FakeClusterView()));
    assertThat(e.getMessage(), containsString("--webBind=0.0.0.0 is not a loopback address"));
    assertThat(e.getMessage(), containsString("--webInsecure"));
  }

  @Test
  public void nonLoopbackBindIsAcceptedWithATokenOrInsecure() {
    // Checked without binding: the tests listen on loopback only.
    new WebSettings("0.0.0.0", 0, Optional.of(TOKEN), false).check();
    new WebSettings("0.0.0.0", 0, Optional.empty(), true).check();
  }

  @Test
  public void missingOrWrongTokenIs401() throws Exception {
    RawHttp http = start(new WebSettings("127.0.0.1", 0, Optional.of(TOKEN), false));
    for (String path : List.of("/api/v1/overview", "/api/v1/jobs/job-1", "/metrics")) {
      RawHttp.Reply missing = http.get(path);
      assertEquals(path, 401, missing.status());
      assertEquals("Bearer realm=\"weir\"", missing.header("WWW-Authenticate"));
      ResponseSchemas.validate("error", missing.body());
      assertEquals(
          401, http.send("GET", path, Map.of("Authorization", "Bearer wrong")).status());
      assertEquals(
          401, http.send("GET", path, Map.of("Authorization", "Basic " + TOKEN)).status());
      assertEquals(
          401, http.send("GET", path, Map.of("Authorization", "Bearer " + TOKEN + "x")).status());
      assertEquals(
          200, http.send("GET", path, Map.of("Authorization", "Bearer " + TOKEN)).status());
    }
    // The UI's files hold no data; the page asks for the token before it reads the API.
    assertEquals(200, http.get("/").status());
  }

  @Test
  public void everyMethodButGetIs405() throws Exception {
    RawHttp http = start(WebSettings.loopback(0));
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE")) {
      RawHttp.Reply reply = http.send(method, "/api/v1/jobs", Map.of());
      assertEquals(method, 405, reply.status());
      assertEquals("GET", reply.header("Allow"));
    }
    assertEquals(405, http.send("POST", "/api/v1/jobs/job-1", Map.of(), "{\"cancel\":true}").status());
  }

  @Test
  public void aRequestBodyIsRefused() throws Exception {
    RawHttp http = start(WebSettings.loopback(0));
    assertEquals(413, http.send("GET", "/api/v1/jobs", Map.of(), "x".repeat(100)).status());
  }

  @Test
  public void encodedAndDoubleEncodedDotDotAre404() throws Exception {
    RawHttp http = start(WebSettings.loopback(0));
    for (String path :
        List.of(
            "/../../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
            "/%252e%252e/%252e%252e/etc/passwd",
            "/%252e%252e%252fetc%252fpasswd",
            "/..%2f..%2fetc%2fpasswd",
            "/..%5c..%5cetc%5cpasswd",
            "/api/v1/jobs/%2e%2e",
            "/api/v1/jobs/..",
            "/api/v1/../v1/overview",
            "/app.js/../index.html",
            "/./index.html",
            "/%2e/index.html",
            "/index.html%00",
            "/%c0%ae%c0%ae/etc/passwd",
            "//etc/passwd",
            "/dev/weir/web/static/index.html",
            "/dev/weir/web/WebServer.class",
            "/schemas/job.json",
            "/pom.xml")) {
      RawHttp.Reply reply = http.get(path);
      assertEquals(path, 404, reply.status());
      ResponseSchemas.validate("error", reply.body());
    }
  }

  @Test
  public void staticFilesComeFromTheAllowlist() throws Exception {
    RawHttp http = start(WebSettings.loopback(0));
    RawHttp.Reply index = http.get("/");
    assertEquals(200, index.status());
    assertEquals("text/html; charset=utf-8", index.header("Content-Type"));
    assertThat(index.body(), containsString("<script src=\"/app.js\""));
    assertEquals(index.body(), http.get("/index.html").body());
    assertEquals("text/javascript; charset=utf-8", http.get("/app.js").header("Content-Type"));
    assertEquals("text/css; charset=utf-8", http.get("/style.css").header("Content-Type"));
  }

  @Test
  public void aForeignHostOnLoopbackIs403() throws Exception {
    RawHttp http = start(WebSettings.loopback(0));
    int port = server.port();
    for (String host :
        List.of(
            "evil.example",
            "evil.example:" + port,
            "127.0.0.1.evil.example",
            "localhost.evil.example:" + port,
            "10.0.0.1:" + port,
            "localhost:80:80",
            "")) {
      RawHttp.Reply reply = http.send("GET", "/api/v1/overview", Map.of("Host", host));
      assertEquals("Host " + host, 403, reply.status());
    }
    for (String host : List.of("localhost", "localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port)) {
      assertEquals(
          "Host " + host, 200, http.send("GET", "/api/v1/overview", Map.of("Host", host)).status());
    }
  }

  @Test
  public void responsesCarryCspAndNosniffAndNoCors() throws Exception {
    RawHttp http = start(WebSettings.loopback(0));
    for (String path : List.of("/", "/app.js", "/api/v1/jobs", "/metrics", "/api/v1/nothing", "/x")) {
      RawHttp.Reply reply =
          http.send("GET", path, Map.of("Origin", "http://evil.example"));
      assertEquals(path, "default-src 'self'", reply.header("Content-Security-Policy"));
      assertEquals(path, "nosniff", reply.header("X-Content-Type-Options"));
      assertNull(path, reply.header("Access-Control-Allow-Origin"));
      assertNull(path, reply.header("Access-Control-Allow-Credentials"));
    }
  }

  @Test
  public void theUiRunsNoInlineScript() throws Exception {
    // The CSP forbids inline scripts and handlers; the page must not need any.
    String index = start(WebSettings.loopback(0)).get("/").body();
    assertThat(index.replace("<script src=\"/app.js\" defer></script>", ""), org.hamcrest.Matchers.not(containsString("<script")));
    assertThat(index, org.hamcrest.Matchers.not(containsString("onload=")));
  }

  @Test
  public void jobCancelIsOffUnlessAllowedAndThenNeedsTheSecret() throws Exception {
    FakeClusterView view = new FakeClusterView();
    String cancel = "/api/v1/jobs/job-1/cancel";
    // Off (the default): 405 as every other write, with or without the token.
    server = WebServer.start(WebSettings.loopback(0), view);
    RawHttp off = new RawHttp(server.port());
    assertEquals(405, off.send("POST", cancel, Map.of()).status());
    assertEquals(
        405, off.send("POST", cancel, Map.of("Authorization", "Bearer " + TOKEN)).status());
    server.close();

    server = WebServer.start(WebSettings.loopback(0).allowingCancel(TOKEN), view);
    RawHttp on = new RawHttp(server.port());
    // No token, a wrong one: 401, on loopback too.
    RawHttp.Reply missing = on.send("POST", cancel, Map.of());
    assertEquals(401, missing.status());
    ResponseSchemas.validate("error", missing.body());
    assertEquals(401, on.send("POST", cancel, Map.of("Authorization", "Bearer wrong")).status());
    assertEquals(
        401, on.send("POST", cancel, Map.of("Authorization", "Bearer " + TOKEN + "x")).status());
    assertTrue("nothing cancelled yet", view.cancelled.isEmpty());
    // Only the cancel path takes a POST; GETs still need no token on loopback.
    assertEquals(
        405,
        on.send("POST", "/api/v1/jobs/job-1", Map.of("Authorization", "Bearer " + TOKEN))
            .status());
    assertEquals(405, on.send("PUT", cancel, Map.of("Authorization", "Bearer " + TOKEN)).status());
    assertEquals(
        413,
        on.send("POST", cancel, Map.of("Authorization", "Bearer " + TOKEN), "x".repeat(10))
            .status());
    assertEquals(200, on.get("/api/v1/jobs").status());
    // The right token: cancelled.
    RawHttp.Reply ok = on.send("POST", cancel, Map.of("Authorization", "Bearer " + TOKEN));
    assertEquals(ok.body(), 200, ok.status());
    assertEquals("CANCELLED", ResponseSchemas.validate("cancel", ok.body()).getString("state"));
    assertEquals(List.of("job-1"), view.cancelled);
    // An unknown job: JSON 404.
    RawHttp.Reply unknown =
        on.send("POST", "/api/v1/jobs/nope/cancel", Map.of("Authorization", "Bearer " + TOKEN));
    assertEquals(404, unknown.status());
    ResponseSchemas.validate("error", unknown.body());
  }
}
