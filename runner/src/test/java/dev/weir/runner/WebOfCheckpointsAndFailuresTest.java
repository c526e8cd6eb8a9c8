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
 * user's message in the exception history, once per restart and once for the final failure.
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
                    "--parallelism=1",
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
    }
    assertEquals(2, view.jobs().get(0).restarts());
  }
}
