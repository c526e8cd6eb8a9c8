package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.weir.web.RawHttp;
import dev.weir.web.ResponseSchemas;
import dev.weir.web.view.JobException;
import java.net.URI;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Checkpoints and failures through the web view: a streaming job checkpointing every second shows
 * at least 3 completed checkpoints in {@code jobs/{id}/checkpoints}; a DoFn that throws shows the
 * user's message in the exception history, once per restart and once for the final failure, with
 * the step, subtask and worker it came from.
 */
public class WebOfCheckpointsAndFailuresTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private static final class Pass extends DoFn<Long, Long> {
    @ProcessElement
    public void process(@Element Long x, OutputReceiver<Long> out) {
      out.output(x);
    }
  }

  private static final class Throwing extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer x) {
      throw new IllegalStateException("user says no to " + x);
    }
  }

  @Test
  public void oneSecondCheckpointsFillTheHistory() throws Exception {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--webPort=0",
                    "--parallelism=2",
                    "--stateBackend=memory",
                    "--checkpointingInterval=1000",
                    "--checkpointDir=" + temp.newFolder("checkpoints").toURI())
                .create());
    p.apply("Ticks", GenerateSequence.from(0).withRate(50, org.joda.time.Duration.standardSeconds(1)))
        .apply("Pass", ParDo.of(new Pass()));
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    try {
      RawHttp http = new RawHttp(URI.create(result.webUrl().orElseThrow()).getPort());
      String jobId =
          new JSONObject(http.get("/api/v1/jobs").body())
              .getJSONArray("jobs")
              .getJSONObject(0)
              .getString("id");
      long deadline = System.currentTimeMillis() + 120_000;
      JSONObject checkpoints;
      while (true) {
        checkpoints =
            ResponseSchemas.validate(
                "checkpoints", http.get("/api/v1/jobs/" + jobId + "/checkpoints").body());
        if (checkpoints.getJSONObject("counts").getLong("completed") >= 3) {
          break;
        }
        assertTrue("fewer than 3 checkpoints: " + checkpoints, System.currentTimeMillis() < deadline);
        Thread.sleep(200);
      }
      assertTrue(checkpoints.getBoolean("enabled"));
      JSONArray history = checkpoints.getJSONArray("history");
      int completed = 0;
      for (int i = 0; i < history.length(); i++) {
        JSONObject k = history.getJSONObject(i);
        if (k.getString("status").equals("COMPLETED")) {
          completed++;
          assertTrue(k.isNull("failureReason"));
          assertTrue(k.getLong("sizeBytes") >= 0);
        }
      }
      assertTrue(history.toString(), completed >= 3);
      assertFalse(checkpoints.isNull("latestCompletedId"));

      // The newest completed checkpoint, subtask by subtask: every subtask of every stage.
      long latest = checkpoints.getLong("latestCompletedId");
      JSONObject detail =
          ResponseSchemas.validate(
              "checkpoint", http.get("/api/v1/jobs/" + jobId + "/checkpoints/" + latest).body());
      assertEquals("COMPLETED", detail.getString("status"));
      assertEquals(latest, detail.getJSONObject("summary").getLong("id"));
      JSONArray planStages =
          new JSONObject(http.get("/api/v1/jobs/" + jobId).body()).getJSONArray("stages");
      JSONArray stages = detail.getJSONArray("stages");
      assertEquals(detail.toString(), planStages.length(), stages.length());
      long stateBytes = 0;
      for (int i = 0; i < stages.length(); i++) {
        JSONObject stage = stages.getJSONObject(i);
        assertEquals(planStages.getJSONObject(i).getInt("id"), stage.getInt("id"));
        JSONArray subtasks = stage.getJSONArray("subtasks");
        assertEquals(
            stage.toString(), planStages.getJSONObject(i).getInt("parallelism"), subtasks.length());
        for (int j = 0; j < subtasks.length(); j++) {
          JSONObject part = subtasks.getJSONObject(j);
          assertEquals(j, part.getInt("subtask"));
          // An unbounded source never finishes: every subtask snapshotted and acknowledged.
          assertEquals(part.toString(), "ACKNOWLEDGED", part.getString("status"));
          assertTrue(part.toString(), part.getLong("ackMillis") >= 0);
          // Reported by the worker: when the subtask began it, and how long it aligned.
          assertFalse(part.toString(), part.isNull("startDelayMillis"));
          assertTrue(part.toString(), part.getLong("alignmentMillis") >= 0);
          assertTrue(part.isNull("failureReason"));
          stateBytes += part.getLong("stateBytes");
        }
      }
      // The checkpoint's size is the sum of its subtasks' state.
      assertEquals(detail.getJSONObject("summary").getLong("sizeBytes"), stateBytes);
      assertEquals(
          404, http.get("/api/v1/jobs/" + jobId + "/checkpoints/" + (latest + 1000)).status());
    } finally {
      result.cancel();
    }
  }

  @Test
  public void aThrowingDoFnsMessageIsInTheExceptionHistoryWithItsRestarts() throws Exception {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--parallelism=1",
                    "--stateBackend=memory",
                    "--checkpointingInterval=1000",
                    "--checkpointDir=" + temp.newFolder("failing").toURI(),
                    "--numberOfExecutionRetries=2",
                    "--executionRetryDelay=10")
                .create());
    p.apply(Create.of(1, 2, 3)).apply("Refuse", ParDo.of(new Throwing()));
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    assertThrows(Pipeline.PipelineExecutionException.class, result::waitUntilFinish);
    assertEquals(PipelineResult.State.FAILED, result.getState());

    JobCoordinator job = (JobCoordinator) result.handle();
    CoordinatorView view = new CoordinatorView(() -> List.of(job), List::of);
    List<JobException> exceptions = view.exceptions(job.jobId()).orElseThrow();
    // Two restarts, then the failure that ended it.
    assertEquals(exceptions.toString(), 3, exceptions.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(i, exceptions.get(i).attempt());
      assertEquals(i < 2, exceptions.get(i).restarted());
      assertThat(exceptions.get(i).cause(), containsString("user says no to"));
      // Where it came from: the throwing step, its stage's only subtask, the embedded worker.
      assertThat(exceptions.get(i).step(), containsString("Refuse"));
      assertEquals(Integer.valueOf(refusingStage(job)), exceptions.get(i).stage());
      assertEquals(Integer.valueOf(0), exceptions.get(i).subtask());
      assertEquals(job.placement().values().iterator().next(), exceptions.get(i).worker());
    }
    assertEquals(2, view.jobs().get(0).restarts());
  }

  /**
   * Failure origins hold exceptions: only the newest are kept, however often a job restarts; the
   * placement of attempts before the last two goes too.
   */
  @Test
  public void onlyTheNewestFailuresKeepTheirOrigin() throws Exception {
    int restarts = JobCoordinator.FAILURE_ORIGINS_KEPT + 5;
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--parallelism=1",
                    "--stateBackend=memory",
                    "--numberOfExecutionRetries=" + restarts,
                    "--executionRetryDelay=0")
                .create());
    p.apply(Create.of(1)).apply("Refuse", ParDo.of(new Throwing()));
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    assertThrows(Pipeline.PipelineExecutionException.class, result::waitUntilFinish);

    JobCoordinator job = (JobCoordinator) result.handle();
    List<JobException> exceptions =
        new CoordinatorView(() -> List.of(job), List::of).exceptions(job.jobId()).orElseThrow();
    assertEquals(restarts + 1, exceptions.size());
    for (JobException e : exceptions) {
      assertThat(e.cause(), containsString("user says no to"));
      // The newest carry where they came from, the older ones no longer.
      boolean kept = e.attempt() > restarts - JobCoordinator.FAILURE_ORIGINS_KEPT;
      assertEquals(e.toString(), kept, e.step() != null);
    }
    assertEquals(restarts, job.restarts().size());
    // Placement is kept for the last two attempts only (the failed one's, for its late reports).
    for (dev.weir.worker.task.TaskId task : job.placement().keySet()) {
      assertTrue(task.toString(), task.attempt() >= restarts - 1);
    }
  }

  private static int refusingStage(JobCoordinator job) {
    for (JobTopology.Stage stage : job.topology().stages()) {
      for (String step : stage.operatorNames()) {
        if (step.contains("Refuse")) {
          return stage.id();
        }
      }
    }
    throw new AssertionError("no stage runs Refuse: " + job.topology().stages());
  }
}
