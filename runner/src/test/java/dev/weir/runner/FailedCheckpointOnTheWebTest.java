package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.web.HeadlessChromium;
import dev.weir.web.RawHttp;
import dev.weir.web.ResponseSchemas;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A declined checkpoint shows as {@code FAILED} with its reason: a streaming job with keyed state
 * in RocksDB checkpoints every second; the test puts plain files where the stateful subtasks would
 * make the local snapshot directories of the next checkpoints ({@code chk-<n>} under their
 * snapshot directories in {@code --stateDirectory}), so their snapshots fail in the file system
 * and they decline. {@code jobs/{id}/checkpoints} lists such a checkpoint as
 * {@code FAILED} with the subtask's decline as reason, its detail names the subtasks that {@code
 * DECLINED} and why, the UI's checkpoint and job pages show the same in headless Chromium, and
 * later checkpoints complete again.
 */
public class FailedCheckpointOnTheWebTest {
  private static final Path SCREENSHOTS = Paths.get("target", "ui-screenshots");

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  /** Counts per key in state, so every checkpoint has files to upload. */
  private static final class CountPerKey extends DoFn<KV<Long, Long>, Long> {
    @StateId("count")
    private final StateSpec<ValueState<Long>> count = StateSpecs.value();

    @ProcessElement
    public void process(
        @Element KV<Long, Long> element,
        @StateId("count") ValueState<Long> count,
        OutputReceiver<Long> out) {
      Long before = count.read();
      long now = (before == null ? 0 : before) + 1;
      count.write(now);
      out.output(now);
    }
  }

  @Test
  public void aCheckpointWhoseUploadFailsIsFailedWithItsReasonInRestAndUi() throws Exception {
    File checkpointDir = temp.newFolder("checkpoints");
    File stateDir = temp.newFolder("state");
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--webPort=0",
                    "--parallelism=2",
                    "--stateBackend=rocksdb",
                    "--stateDirectory=" + stateDir,
                    "--jobName=failingcheckpoints",
                    "--checkpointingInterval=1000",
                    "--checkpointDir=" + checkpointDir.toURI())
                .create());
    p.apply("Ticks", GenerateSequence.from(0).withRate(100, org.joda.time.Duration.standardSeconds(1)))
        .apply("Key", WithKeys.of((Long x) -> x % 8).withKeyType(TypeDescriptors.longs()))
        .apply("Count", ParDo.of(new CountPerKey()));
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    try (HeadlessChromium browser = HeadlessChromium.start()) {
      String url = result.webUrl().orElseThrow();
      RawHttp http = new RawHttp(URI.create(url).getPort());
      String jobId =
          new JSONObject(http.get("/api/v1/jobs").body())
              .getJSONArray("jobs")
              .getJSONObject(0)
              .getString("id");
      String checkpointsPath = "/api/v1/jobs/" + jobId + "/checkpoints";
      long deadline = System.currentTimeMillis() + 120_000;
      JSONObject first = checkpoints(http, checkpointsPath);
      while (first.isNull("latestCompletedId")) {
        assertTrue("no checkpoint completed", System.currentTimeMillis() < deadline);
        Thread.sleep(200);
        first = checkpoints(http, checkpointsPath);
      }
      // The next ones cannot make their local snapshot directories (one under way may have).
      long completed = first.getLong("latestCompletedId");
      List<File> snapshotRoots;
      try (Stream<Path> walk = Files.walk(stateDir.toPath())) {
        snapshotRoots =
            walk.filter(f -> f.getFileName().toString().startsWith("weir-snapshots-"))
                .map(Path::toFile)
                .collect(Collectors.toList());
      }
      assertTrue("no subtask took a snapshot in " + stateDir, !snapshotRoots.isEmpty());
      List<File> blocks = new ArrayList<>();
      for (File root : snapshotRoots) {
        for (long id = completed + 1; id <= completed + 10; id++) {
          File block = new File(root, "chk-" + id);
          if (block.createNewFile()) {
            blocks.add(block);
          }
        }
      }
      assertTrue("no checkpoint could be blocked", blocks.size() >= 8);
      // A failed checkpoint whose detail names a subtask that declined (one failed at writing its
      // metadata, after every upload, names none).
      JSONObject failed = null;
      JSONObject declined = null;
      JSONObject detail = null;
      while (declined == null) {
        assertTrue("no declined checkpoint", System.currentTimeMillis() < deadline);
        Thread.sleep(200);
        JSONArray history = checkpoints(http, checkpointsPath).getJSONArray("history");
        for (int i = 0; i < history.length() && declined == null; i++) {
          JSONObject k = history.getJSONObject(i);
          if (!k.getString("status").equals("FAILED")) {
            continue;
          }
          detail =
              ResponseSchemas.validate(
                  "checkpoint", http.get(checkpointsPath + "/" + k.getLong("id")).body());
          declined = declinedSubtask(detail);
          failed = k;
        }
      }
      for (File block : blocks) {
        Files.deleteIfExists(block.toPath());
      }

      assertThat(failed.toString(), failed.getString("failureReason"), containsString("declined"));
      assertThat(
          failed.toString(), failed.getString("failureReason"), containsString("The snapshot failed"));
      assertEquals("FAILED", detail.getString("status"));
      assertEquals(failed.getLong("id"), detail.getJSONObject("summary").getLong("id"));
      assertThat(declined.getString("failureReason"), containsString("The snapshot failed"));
      assertThat(declined.getString("failureReason"), containsString("chk-" + failed.getLong("id")));
      JSONObject counts = checkpoints(http, checkpointsPath).getJSONObject("counts");
      assertTrue(counts.toString(), counts.getLong("failed") >= 1);

      // The UI's checkpoint page: the status and, for the declining subtask, the reason.
      long failedId = failed.getLong("id");
      WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(60));
      browser.driver().get(url + "#checkpoint/" + jobId + "/" + failedId);
      wait.until(d -> mainText(browser).contains("Checkpoint " + failedId));
      String page = mainText(browser);
      assertThat(page, containsString(": FAILED"));
      assertThat(page, containsString("DECLINED"));
      assertThat(page, containsString("The snapshot failed"));
      browser.screenshot(SCREENSHOTS, "failed-checkpoint");

      // The job page's history lists it as FAILED with its reason.
      browser.driver().get(url + "#job/" + jobId);
      wait.until(
          d ->
              String.valueOf(
                      browser.script(
                          "return [...document.querySelectorAll('tr')].filter(r =>"
                              + " r.children.length === 7 && r.children[0].textContent === '"
                              + failedId
                              + "').map(r => r.children[2].textContent + ' ' +"
                              + " r.children[6].textContent).join();"))
                  .startsWith("FAILED subtask"));

      // The storage works again: checkpoints complete again.
      while (true) {
        JSONObject now = checkpoints(http, checkpointsPath);
        if (!now.isNull("latestCompletedId") && now.getLong("latestCompletedId") > failedId) {
          break;
        }
        assertTrue("no checkpoint completed after the failure", System.currentTimeMillis() < deadline);
        Thread.sleep(200);
      }
    } finally {
      result.cancel();
    }
  }

  private static JSONObject checkpoints(RawHttp http, String path) throws Exception {
    RawHttp.Reply reply = http.get(path);
    assertEquals(reply.body(), 200, reply.status());
    return ResponseSchemas.validate("checkpoints", reply.body());
  }

  private static JSONObject declinedSubtask(JSONObject detail) {
    JSONArray stages = detail.getJSONArray("stages");
    for (int i = 0; i < stages.length(); i++) {
      JSONArray subtasks = stages.getJSONObject(i).getJSONArray("subtasks");
      for (int j = 0; j < subtasks.length(); j++) {
        if (subtasks.getJSONObject(j).getString("status").equals("DECLINED")) {
          return subtasks.getJSONObject(j);
        }
      }
    }
    return null;
  }

  private static String mainText(HeadlessChromium browser) {
    return String.valueOf(
        browser.script("return document.getElementById('main').textContent;"));
  }
}
