package dev.weir.runner.cluster;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.weir.runner.WeirPipelineResult;
import dev.weir.web.RawHttp;
import dev.weir.web.ResponseSchemas;
import dev.weir.worker.security.ClusterSecurity;
import java.net.URI;
import java.nio.file.Paths;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
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
import org.joda.time.Duration;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The web server of a standalone coordinator with a worker process (RocksDB state): {@code
 * workers/{id}} shows what the worker's heartbeats report (heap, free disk of its state
 * directory, its RocksDB instances' memory), a stage's subtasks show records and bytes in and out
 * as the worker's progress reports carry them, and with {@code --webAllowCancel} a job is
 * cancelled by a POST carrying the cluster secret, not without it.
 */
public class WebOnAClusterOfProcessesTest {
  @Rule public Timeout timeout = Timeout.seconds(300);

  /** Counts per key in RocksDB. */
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
  public void workerResourcesRecordsAndAnAuthorizedCancel() throws Exception {
    try (LocalProcessCluster cluster =
        LocalProcessCluster.withCoordinatorInThisJvm(Paths.get("target/web-on-processes"))) {
      cluster.startWorker("web-w1", "--progressReportMillis=200");
      String secret = ClusterSecurity.fromDirectory(cluster.securityDir()).webToken().orElseThrow();
      String url =
          cluster
              .coordinatorInThisJvm()
              .startWeb(
                  WeirClusterCoordinator.webSettings(
                      Map.of("webPort", "0", "webAllowCancel", "true"),
                      ClusterSecurity.fromDirectory(cluster.securityDir())));
      RawHttp http = new RawHttp(URI.create(url).getPort());

      Pipeline p =
          Pipeline.create(
              PipelineOptionsFactory.fromArgs(
                      "--runner=WeirRunner",
                      "--weirMaster=" + cluster.master(),
                      cluster.securityArgument(),
                      "--jobName=webprocesses")
                  .create());
      p.apply("Ticks", GenerateSequence.from(0).withRate(200, Duration.standardSeconds(1)))
          .apply("Key", WithKeys.of((Long x) -> x % 16).withKeyType(TypeDescriptors.longs()))
          .apply("Count", ParDo.of(new CountPerKey()));
      WeirPipelineResult result = (WeirPipelineResult) p.run();
      try {
        String jobId = null;
        long deadline = System.currentTimeMillis() + 120_000;
        while (jobId == null) {
          JSONArray jobs =
              ResponseSchemas.validate("jobs", http.get("/api/v1/jobs").body()).getJSONArray("jobs");
          for (int i = 0; i < jobs.length(); i++) {
            if (jobs.getJSONObject(i).getString("name").equals("webprocesses")) {
              jobId = jobs.getJSONObject(i).getString("id");
            }
          }
          assertTrue("the job is not listed", System.currentTimeMillis() < deadline);
          Thread.sleep(200);
        }

        // The counting stage, fed through the keyed exchange, receives records and bytes.
        JSONObject job = ResponseSchemas.validate("job", http.get("/api/v1/jobs/" + jobId).body());
        int counting = -1;
        JSONArray stages = job.getJSONArray("stages");
        for (int i = 0; i < stages.length(); i++) {
          for (Object step : stages.getJSONObject(i).getJSONArray("steps")) {
            if (step.toString().startsWith("Count/")) {
              counting = stages.getJSONObject(i).getInt("id");
            }
          }
        }
        assertTrue(job.toString(), counting >= 0);
        long first = recordsIn(http, jobId, counting, 1, deadline);
        long later = recordsIn(http, jobId, counting, first + 1, deadline);
        assertTrue(later > first);

        // What the worker's heartbeats report, once its RocksDB instance is open.
        JSONObject worker;
        while (true) {
          RawHttp.Reply reply = http.get("/api/v1/workers/web-w1");
          assertEquals(reply.body(), 200, reply.status());
          worker = ResponseSchemas.validate("worker", reply.body());
          if (!worker.isNull("rocksDb") && worker.getJSONObject("rocksDb").getInt("instances") > 0) {
            break;
          }
          assertTrue("no RocksDB memory reported: " + worker, System.currentTimeMillis() < deadline);
          Thread.sleep(300);
        }
        assertTrue(worker.toString(), worker.getLong("heapUsedBytes") > 0);
        assertTrue(worker.toString(), worker.getLong("heapMaxBytes") >= worker.getLong("heapUsedBytes"));
        assertTrue(worker.toString(), worker.getLong("stateDirFreeBytes") > 0);
        assertTrue(worker.toString(), worker.getInt("runningSubtasks") >= 1);
        assertTrue(worker.toString(), worker.getJSONObject("rocksDb").getLong("blockCacheBytes") >= 0);
        assertFalse(worker.isNull("millisSinceHeartbeat"));
        assertEquals(404, http.get("/api/v1/workers/no-such-worker").status());

        // Cancel: not without the secret, then with it.
        String cancel = "/api/v1/jobs/" + jobId + "/cancel";
        assertEquals(401, http.send("POST", cancel, Map.of()).status());
        assertEquals(
            401, http.send("POST", cancel, Map.of("Authorization", "Bearer wrong")).status());
        assertEquals(PipelineResult.State.RUNNING, result.getState());
        RawHttp.Reply ok = http.send("POST", cancel, Map.of("Authorization", "Bearer " + secret));
        assertEquals(ok.body(), 200, ok.status());
        ResponseSchemas.validate("cancel", ok.body());
        assertEquals(
            PipelineResult.State.CANCELLED,
            result.waitUntilFinish(org.joda.time.Duration.standardSeconds(120)));
      } finally {
        result.cancel();
      }
    }
  }

  /** The stage's records in once they reach {@code atLeast}. */
  private static long recordsIn(RawHttp http, String jobId, int stage, long atLeast, long deadline)
      throws Exception {
    while (true) {
      JSONObject status =
          ResponseSchemas.validate(
              "stage", http.get("/api/v1/jobs/" + jobId + "/stages/" + stage).body());
      long in = 0;
      JSONArray subtasks = status.getJSONArray("subtasks");
      for (int i = 0; i < subtasks.length(); i++) {
        JSONObject s = subtasks.getJSONObject(i);
        in += s.getLong("recordsIn");
        assertTrue(s.toString(), s.getLong("bytesIn") >= s.getLong("recordsIn"));
      }
      if (in >= atLeast) {
        return in;
      }
      assertTrue("records in stay below " + atLeast + ": " + status, System.currentTimeMillis() < deadline);
      Thread.sleep(200);
    }
  }
}
