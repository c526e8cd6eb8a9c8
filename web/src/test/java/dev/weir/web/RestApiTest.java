package dev.weir.web;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.web.view.StageDetail;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Every {@code /api/v1} response over HTTP, each checked against its JSON schema. */
public class RestApiTest {
  private WebServer server;
  private RawHttp http;

  @Before
  public void start() {
    server = WebServer.start(WebSettings.loopback(0), new FakeClusterView());
    http = new RawHttp(server.port());
  }

  @After
  public void stop() {
    server.close();
  }

  private JSONObject get(String path, String schema) throws Exception {
    RawHttp.Reply reply = http.get(path);
    assertEquals(path + ": " + reply.body(), 200, reply.status());
    assertEquals("application/json; charset=utf-8", reply.header("Content-Type"));
    return ResponseSchemas.validate(schema, reply.body());
  }

  @Test
  public void overviewCountsWorkersSlotsAndJobsByState() throws Exception {
    JSONObject overview = get("/api/v1/overview", "overview");
    assertEquals(2, overview.getInt("workers"));
    assertEquals(4, overview.getInt("slots"));
    assertEquals(1, overview.getJSONObject("jobsByState").getInt("RUNNING"));
    // Without --webAllowCancel the UI shows no cancel button.
    assertEquals(false, overview.getBoolean("cancelAllowed"));
  }

  @Test
  public void overviewSaysWhetherCancelIsAllowed() throws Exception {
    try (WebServer allowing =
        WebServer.start(WebSettings.loopback(0).allowingCancel("secret"), new FakeClusterView())) {
      JSONObject overview =
          ResponseSchemas.validate(
              "overview", new RawHttp(allowing.port()).get("/api/v1/overview").body());
      assertEquals(true, overview.getBoolean("cancelAllowed"));
    }
  }

  @Test
  public void jobsListsEveryJob() throws Exception {
    JSONArray jobs = get("/api/v1/jobs", "jobs").getJSONArray("jobs");
    assertEquals(1, jobs.length());
    assertEquals("job-1", jobs.getJSONObject(0).getString("id"));
    assertTrue(jobs.getJSONObject(0).isNull("endMillis"));
  }

  @Test
  public void jobShowsStagesWithTheirBeamStepsEdgesAndOptions() throws Exception {
    JSONObject job = get("/api/v1/jobs/job-1", "job");
    assertEquals("RUNNING", job.getJSONObject("job").getString("state"));
    JSONArray stages = job.getJSONArray("stages");
    assertEquals(2, stages.length());
    JSONArray steps = stages.getJSONObject(1).getJSONArray("steps");
    // Names come back whole, HTML and quotes included, as JSON strings.
    assertEquals(FakeClusterView.SCRIPT_STEP, steps.getString(0));
    assertEquals(300, steps.getString(1).length());
    assertEquals("KEYED", job.getJSONArray("edges").getJSONObject(0).getString("kind"));
    assertEquals("2", job.getJSONObject("options").getString("parallelism"));
  }

  @Test
  public void markupInNamesIsEscapedInTheJsonText() throws Exception {
    String body = http.get("/api/v1/jobs/job-1").body();
    assertThat(body, not(containsString("<script>")));
    assertThat(body, containsString("\\u003cscript\\u003e"));
  }

  @Test
  public void stageShowsSubtasksTimeUse() throws Exception {
    JSONObject stage = get("/api/v1/jobs/job-1/stages/1", "stage");
    JSONObject first = stage.getJSONArray("subtasks").getJSONObject(0);
    assertEquals(850, first.getLong("busyMillisPerSecond"));
    assertEquals(50, first.getLong("backpressuredMillisPerSecond"));
    assertTrue(stage.getJSONArray("subtasks").getJSONObject(1).isNull("busyMillisPerSecond"));
    // Records and bytes in and out; an ended subtask keeps its final ones and has no events.
    assertEquals(480, first.getLong("recordsIn"));
    assertEquals(38_400, first.getLong("bytesIn"));
    assertEquals(470, first.getLong("recordsOut"));
    assertEquals(37_600, first.getLong("bytesOut"));
    assertEquals(false, first.getBoolean("ended"));
    JSONObject ended = stage.getJSONArray("subtasks").getJSONObject(1);
    assertEquals(true, ended.getBoolean("ended"));
    assertTrue(ended.isNull("events"));
    assertEquals(290, ended.getLong("recordsOut"));
    for (String path :
        List.of("/api/v1/jobs/job-1/stages/7", "/api/v1/jobs/job-1/stages/x", "/api/v1/jobs/nope/stages/1")) {
      assertEquals(path, 404, http.get(path).status());
    }
  }

  @Test
  public void metricsHaveAttemptedAndCommittedPerStep() throws Exception {
    JSONObject metrics = get("/api/v1/jobs/job-1/metrics", "metrics");
    JSONObject first = metrics.getJSONArray("counters").getJSONObject(0);
    assertEquals(FakeClusterView.SCRIPT_STEP, first.getString("step"));
    assertEquals(42, first.getLong("attempted"));
    assertEquals(40, first.getLong("committed"));
    assertTrue(metrics.getJSONArray("counters").getJSONObject(1).isNull("committed"));
    JSONObject distribution = metrics.getJSONArray("distributions").getJSONObject(0);
    assertEquals(30, distribution.getJSONObject("attempted").getLong("sum"));
    assertTrue(distribution.isNull("committed"));
  }

  @Test
  public void checkpointsHaveCountsAndHistory() throws Exception {
    JSONObject checkpoints = get("/api/v1/jobs/job-1/checkpoints", "checkpoints");
    assertEquals(1, checkpoints.getJSONObject("counts").getLong("completed"));
    assertEquals(1, checkpoints.getLong("latestCompletedId"));
    JSONArray history = checkpoints.getJSONArray("history");
    assertEquals("timed out", history.getJSONObject(1).getString("failureReason"));
    assertTrue(history.getJSONObject(0).isNull("failureReason"));
  }

  @Test
  public void aCheckpointsDetailListsEachStagesSubtasks() throws Exception {
    JSONObject detail = get("/api/v1/jobs/job-1/checkpoints/2", "checkpoint");
    assertEquals("FAILED", detail.getString("status"));
    assertEquals("timed out", detail.getJSONObject("summary").getString("failureReason"));
    JSONArray stages = detail.getJSONArray("stages");
    assertEquals(2, stages.length());
    JSONObject acked = stages.getJSONObject(0).getJSONArray("subtasks").getJSONObject(0);
    assertEquals(120, acked.getLong("ackMillis"));
    assertEquals(5, acked.getLong("startDelayMillis"));
    assertEquals(3, acked.getLong("alignmentMillis"));
    assertEquals(4096, acked.getLong("stateBytes"));
    assertEquals(1024, acked.getLong("uploadedBytes"));
    assertTrue(stages.getJSONObject(0).getJSONArray("subtasks").getJSONObject(1).isNull("ackMillis"));
    assertEquals(
        "<b>no</b> state",
        stages.getJSONObject(1).getJSONArray("subtasks").getJSONObject(0).getString("failureReason"));
  }

  @Test
  public void watermarksPerStageAndSubtask() throws Exception {
    JSONObject watermarks = get("/api/v1/jobs/job-1/watermarks", "watermarks");
    JSONArray stages = watermarks.getJSONArray("stages");
    assertEquals(2, stages.length());
    // Stage 0 has no subtask that reported: no watermark, no lag.
    assertTrue(stages.getJSONObject(0).isNull("outputWatermarkMillis"));
    assertTrue(stages.getJSONObject(0).isNull("outputLagMillis"));
    JSONObject stage1 = stages.getJSONObject(1);
    assertEquals(900, stage1.getLong("outputWatermarkMillis"));
    assertEquals(2, stage1.getJSONArray("subtasks").length());
  }

  @Test
  public void aWatermarksLagIsToTheWallClockAndNoneBeforeItStartsOrAtItsEnd() {
    StageDetail stage =
        new StageDetail(
            "j",
            3,
            "s",
            3,
            List.of("S"),
            List.of(
                new StageDetail.SubtaskStatus(0, 0, "w", 0, 9_000, 8_000, -1, -1, -1),
                new StageDetail.SubtaskStatus(
                    1, 0, "w", 0, RestApi.NO_WATERMARK, RestApi.NO_WATERMARK, -1, -1, -1),
                new StageDetail.SubtaskStatus(
                    2, 0, "w", 0, RestApi.END_OF_TIME + 1, RestApi.END_OF_TIME + 1, -1, -1, -1)));
    JSONObject json =
        ResponseSchemas.validate("watermarks", RestApi.watermarks("j", List.of(stage), 10_000));
    JSONArray subtasks = json.getJSONArray("stages").getJSONObject(0).getJSONArray("subtasks");
    assertEquals(2_000, subtasks.getJSONObject(0).getLong("outputLagMillis"));
    assertTrue(subtasks.getJSONObject(1).isNull("outputWatermarkMillis"));
    assertTrue(subtasks.getJSONObject(1).isNull("outputLagMillis"));
    assertTrue(subtasks.getJSONObject(2).isNull("outputLagMillis"));
    // The stage's watermark is its slowest subtask's: one has not started.
    assertTrue(json.getJSONArray("stages").getJSONObject(0).isNull("outputWatermarkMillis"));
  }

  @Test
  public void exceptionsAndWorkers() throws Exception {
    JSONObject exceptions = get("/api/v1/jobs/job-1/exceptions", "exceptions");
    assertEquals(
        "java.lang.IllegalStateException: <b>boom</b>",
        exceptions.getJSONArray("exceptions").getJSONObject(0).getString("cause"));
    JSONObject located = exceptions.getJSONArray("exceptions").getJSONObject(0);
    assertEquals("Parse/ParMultiDo(Parse)", located.getString("step"));
    assertEquals(1, located.getInt("stage"));
    assertEquals(0, located.getInt("subtask"));
    assertEquals("w1", located.getString("worker"));
    // An origin that is unknown is null, not left out.
    JSONObject unlocated = exceptions.getJSONArray("exceptions").getJSONObject(1);
    assertTrue(unlocated.isNull("step"));
    assertTrue(unlocated.isNull("worker"));
    JSONArray workers = get("/api/v1/workers", "workers").getJSONArray("workers");
    assertEquals("w1", workers.getJSONObject(0).getString("name"));
  }

  @Test
  public void unknownIdsAndPathsAreJson404s() throws Exception {
    for (String path :
        List.of(
            "/api/v1/jobs/nope",
            "/api/v1/jobs/nope/metrics",
            "/api/v1/jobs/nope/checkpoints",
            "/api/v1/jobs/nope/exceptions",
            "/api/v1/jobs/nope/checkpoints/2",
            "/api/v1/jobs/nope/watermarks",
            "/api/v1/jobs/job-1/checkpoints/1",
            "/api/v1/jobs/job-1/checkpoints/two",
            "/api/v1/jobs/job-1/nothing",
            "/api/v1/nothing",
            "/api/v2/jobs",
            "/api/v1")) {
      RawHttp.Reply reply = http.get(path);
      assertEquals(path, 404, reply.status());
      assertEquals("application/json; charset=utf-8", reply.header("Content-Type"));
      assertEquals(404, ResponseSchemas.validate("error", reply.body()).getInt("error"));
    }
  }

  @Test
  public void aSchemaRejectsAResponseOfAnotherShape() {
    // The check itself can fail: a jobs list is no overview.
    AssertionError e =
        org.junit.Assert.assertThrows(
            AssertionError.class,
            () -> ResponseSchemas.validate("overview", RestApi.jobs(new FakeClusterView().jobs())));
    assertThat(e.getMessage(), containsString("does not match schema overview"));
  }

  @Test
  public void aWorkersResourcesAndAnUnknownWorkerIs404() throws Exception {
    JSONObject w1 = get("/api/v1/workers/w1", "worker");
    assertEquals("w1", w1.getString("name"));
    assertEquals(120, w1.getLong("millisSinceHeartbeat"));
    assertEquals(3, w1.getInt("runningSubtasks"));
    assertEquals(100_000_000, w1.getLong("heapUsedBytes"));
    assertEquals(1_000_000_000, w1.getLong("heapMaxBytes"));
    assertEquals(50_000_000_000L, w1.getLong("stateDirFreeBytes"));
    assertEquals(2, w1.getJSONObject("rocksDb").getInt("instances"));
    assertEquals(65_536, w1.getJSONObject("rocksDb").getLong("memtableBytes"));
    JSONObject w2 = get("/api/v1/workers/w2", "worker");
    assertTrue(w2.isNull("heapUsedBytes"));
    assertTrue(w2.isNull("rocksDb"));
    RawHttp.Reply unknown = http.get("/api/v1/workers/w9");
    assertEquals(404, unknown.status());
    ResponseSchemas.validate("error", unknown.body());
  }

  @Test
  public void theJobNamesNoBottleneckWithoutBackpressure() throws Exception {
    JSONObject job = get("/api/v1/jobs/job-1", "job");
    assertEquals(0, job.getJSONArray("bottlenecks").length());
  }
}
