package dev.weir.runner.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.weir.web.RawHttp;
import dev.weir.web.ResponseSchemas;
import dev.weir.web.StrictPrometheusParser;
import dev.weir.web.WebSettings;
import dev.weir.worker.security.ClusterSecurity;
import java.net.URI;
import java.util.Map;
import org.json.JSONObject;
import org.junit.Test;

/** The standalone coordinator's web server ({@code --webPort}) and how its settings are chosen. */
public class CoordinatorWebTest {

  @Test
  public void servesOverviewJobsAndWorkersOfTheCoordinator() throws Exception {
    try (WeirClusterCoordinator coordinator =
        WeirClusterCoordinator.start("127.0.0.1", 0, ClusterSecurity.plaintextInOneJvm())) {
      String url = coordinator.startWeb(WebSettings.loopback(0));
      RawHttp http = new RawHttp(URI.create(url).getPort());
      JSONObject overview =
          ResponseSchemas.validate("overview", http.get("/api/v1/overview").body());
      assertEquals(0, overview.getInt("workers"));
      assertEquals(0, overview.getJSONObject("jobsByState").length());
      assertEquals(
          0,
          ResponseSchemas.validate("jobs", http.get("/api/v1/jobs").body())
              .getJSONArray("jobs")
              .length());
      ResponseSchemas.validate("workers", http.get("/api/v1/workers").body());
      assertEquals(404, http.get("/api/v1/jobs/none").status());
      StrictPrometheusParser.Exposition metrics =
          StrictPrometheusParser.parse(http.get("/metrics").body());
      assertEquals(0, metrics.find("weir_workers", Map.of()).get(0).value(), 0);
    }
  }

  @Test
  public void loopbackNeedsNoToken() {
    WebSettings settings =
        WeirClusterCoordinator.webSettings(
            Map.of("webPort", "0"), ClusterSecurity.generated());
    assertEquals("127.0.0.1", settings.bind());
    assertTrue(settings.token().isEmpty());
  }

  @Test
  public void beyondLoopbackTheClusterSecretIsTheToken() {
    ClusterSecurity security = ClusterSecurity.generated();
    WebSettings settings =
        WeirClusterCoordinator.webSettings(Map.of("webPort", "0", "webBind", "0.0.0.0"), security);
    assertEquals(security.webToken(), settings.token());
    assertFalse(settings.token().isEmpty());
  }

  @Test
  public void beyondLoopbackWithoutASecretRefusesUnlessWebInsecure() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                WeirClusterCoordinator.webSettings(
                    Map.of("webPort", "0", "webBind", "0.0.0.0"),
                    ClusterSecurity.plaintextInOneJvm()));
    assertThat(e.getMessage(), containsString("--webInsecure"));
    WebSettings insecure =
        WeirClusterCoordinator.webSettings(
            Map.of("webPort", "0", "webBind", "0.0.0.0", "webInsecure", "true"),
            ClusterSecurity.plaintextInOneJvm());
    assertTrue(insecure.insecure());
  }

  @Test
  public void cancelIsOffByDefaultAndNeedsTheClusterSecretWhenAllowed() {
    ClusterSecurity security = ClusterSecurity.generated();
    assertTrue(
        WeirClusterCoordinator.webSettings(Map.of("webPort", "0"), security)
            .cancelToken()
            .isEmpty());
    WebSettings allowed =
        WeirClusterCoordinator.webSettings(
            Map.of("webPort", "0", "webAllowCancel", "true"), security);
    // On loopback too: reads need no token, a cancel needs the secret.
    assertTrue(allowed.token().isEmpty());
    assertEquals(security.webToken(), allowed.cancelToken());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                WeirClusterCoordinator.webSettings(
                    Map.of("webPort", "0", "webAllowCancel", "true"),
                    ClusterSecurity.plaintextInOneJvm()));
    assertThat(e.getMessage(), containsString("--webAllowCancel needs the cluster secret"));
    assertTrue(
        WeirClusterCoordinator.webSettings(
                Map.of("webPort", "0", "metricsPerSubtask", "true"), security)
            .metricsPerSubtask());
  }
}
