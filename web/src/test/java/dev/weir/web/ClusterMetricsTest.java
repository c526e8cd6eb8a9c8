package dev.weir.web;

import static dev.weir.web.StrictPrometheusParser.labels;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.Test;

/** {@code /metrics}: Prometheus' text format, read back by a strict parser. */
public class ClusterMetricsTest {

  @Test
  public void scrapeOverHttpParsesStrictly() throws Exception {
    try (WebServer server = WebServer.start(WebSettings.loopback(0), new FakeClusterView())) {
      RawHttp.Reply reply = new RawHttp(server.port()).get("/metrics");
      assertEquals(200, reply.status());
      assertEquals("text/plain; version=0.0.4; charset=utf-8", reply.header("Content-Type"));
      StrictPrometheusParser.Exposition metrics = StrictPrometheusParser.parse(reply.body());
      assertEquals("counter", metrics.types().get("weir_user_counter_total"));
      assertEquals(2, metrics.find("weir_workers", Map.of()).get(0).value(), 0);
    }
  }

  @Test
  public void userCountersElementCountsAndCheckpointsHaveTheirLabels() {
    StrictPrometheusParser.Exposition metrics =
        StrictPrometheusParser.parse(ClusterMetrics.scrape(new FakeClusterView()));
    Map<String, String> job = labels("job_name", "wordcount", "job_id", "job-1");
    List<StrictPrometheusParser.Sample> lines =
        metrics.find(
            "weir_user_counter_total",
            labels("job_id", "job-1", "step", FakeClusterView.SCRIPT_STEP, "namespace", "ns", "name", "lines"));
    assertEquals(1, lines.size());
    assertEquals(42, lines.get(0).value(), 0);
    assertEquals("wordcount", lines.get(0).labels().get("job_name"));
    assertEquals(
        1000,
        metrics
            .find(
                "weir_pcollection_elements_total",
                labels("step", "Read/ParDo(Split)", "pcollection", "Read/ParDo(Split).out0"))
            .get(0)
            .value(),
        0);
    // The element count is not also a user counter.
    assertEquals(
        0,
        metrics
            .find("weir_user_counter_total", labels("name", ClusterMetrics.ELEMENT_COUNT))
            .size());
    assertEquals(
        1, metrics.find("weir_checkpoints_total", labels("status", "completed")).get(0).value(), 0);
    assertEquals(
        0.25, metrics.find("weir_checkpoint_last_duration_seconds", job).get(0).value(), 0);
    assertEquals(4096, metrics.find("weir_checkpoint_last_size_bytes", job).get(0).value(), 0);
    assertEquals(1, metrics.find("weir_job_restarts_total", job).get(0).value(), 0);
    assertEquals(30, metrics.find("weir_user_distribution_sum", job).get(0).value(), 0);
    assertEquals(3, metrics.find("weir_user_distribution_count", job).get(0).value(), 0);
    assertEquals("summary", metrics.types().get("weir_user_distribution"));
    assertEquals(9, metrics.find("weir_user_gauge", job).get(0).value(), 0);
    assertEquals(1, metrics.find("weir_jobs", labels("state", "RUNNING")).get(0).value(), 0);
    // The stage's largest ratios; subtask 1's unknown time use counts for nothing.
    assertEquals(0.85, metrics.find("weir_stage_busy_ratio", labels("stage", "1")).get(0).value(), 1e-9);
    assertEquals(
        0.05, metrics.find("weir_stage_backpressured_ratio", labels("stage", "1")).get(0).value(), 1e-9);
    assertEquals(0, metrics.find("weir_stage_busy_ratio", labels("stage", "0")).size());
    assertEquals(
        0.12, metrics.find("weir_worker_heartbeat_age_seconds", labels("worker", "w1")).get(0).value(), 1e-9);
  }

  @Test
  public void labelValuesAreEscaped() {
    String text = ClusterMetrics.scrape(new FakeClusterView());
    assertThat(text, containsString("step=\"<script>alert('x')</script>\\\"quoted\\\\\""));
  }

  @Test
  public void theParserRejectsWhatAScraperWouldMisread() {
    for (String bad :
        List.of(
            "weir_x_total 1",
            "# TYPE weir_x_total counter\nweir_x_total{a=\"1\"} 1\nweir_x_total{a=\"1\"} 2\n",
            "# TYPE weir_x counter\nweir_x 1\n",
            "weir_a 1\nweir_b 1\nweir_a{x=\"1\"} 1\n",
            "weir_a{x=\"\\t\"} 1\n",
            "weir_a{x=\"1\",x=\"2\"} 1\n",
            "weir_a{1x=\"1\"} 1\n",
            "weir_a one\n",
            "weir_a 1\n# TYPE weir_a gauge\n",
            "# random comment\nweir_a 1\n",
            "other_a 1\n",
            "weir_a{x=\"1\"}1\n")) {
      assertThrows(bad, IllegalArgumentException.class, () -> StrictPrometheusParser.parse(bad));
    }
  }

  @Test
  public void theWriterRefusesBadNames() {
    PrometheusText text = new PrometheusText();
    assertThrows(
        IllegalArgumentException.class,
        () -> text.family("weir_elements", PrometheusText.Type.COUNTER, "a counter without _total"));
    assertThrows(
        IllegalArgumentException.class,
        () -> text.family("weir-bad", PrometheusText.Type.GAUGE, "dash"));
    text.family("weir_ok", PrometheusText.Type.GAUGE, "ok");
    assertThrows(
        IllegalArgumentException.class,
        () -> text.sample("weir_ok", Map.of("bad-label", "v"), 1L));
  }

  @Test
  public void recordsInAndOutPerStageAndPerSubtaskOnlyWhenAsked() {
    StrictPrometheusParser.Exposition perStage =
        StrictPrometheusParser.parse(ClusterMetrics.scrape(new FakeClusterView()));
    Map<String, String> stage1 = labels("job_id", "job-1", "stage", "1");
    // Both subtasks of stage 1, the ended one's final counts included.
    assertEquals(780, perStage.find("weir_records_in_total", stage1).get(0).value(), 0);
    assertEquals(760, perStage.find("weir_records_out_total", stage1).get(0).value(), 0);
    assertEquals("counter", perStage.types().get("weir_records_in_total"));
    // Stage 0 has no subtask that reported: no series.
    assertEquals(
        0, perStage.find("weir_records_in_total", labels("job_id", "job-1", "stage", "0")).size());
    assertEquals(0, perStage.find("weir_subtask_records_in_total", Map.of()).size());

    StrictPrometheusParser.Exposition perSubtask =
        StrictPrometheusParser.parse(ClusterMetrics.scrape(new FakeClusterView(), true));
    assertEquals(
        480,
        perSubtask
            .find("weir_subtask_records_in_total", labels("stage", "1", "subtask", "0"))
            .get(0)
            .value(),
        0);
    assertEquals(
        290,
        perSubtask
            .find("weir_subtask_records_out_total", labels("stage", "1", "subtask", "1"))
            .get(0)
            .value(),
        0);
    assertEquals(
        0.85,
        perSubtask.find("weir_subtask_busy_ratio", labels("subtask", "0")).get(0).value(),
        0);
    // An ended subtask has no time use.
    assertEquals(0, perSubtask.find("weir_subtask_busy_ratio", labels("subtask", "1")).size());
  }
}
