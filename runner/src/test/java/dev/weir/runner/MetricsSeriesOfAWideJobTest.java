package dev.weir.runner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.web.RawHttp;
import dev.weir.web.StrictPrometheusParser;
import java.net.URI;
import java.util.Set;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;
import org.json.JSONObject;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The bound on {@code /metrics}: a job of 10 stages at parallelism 4 exports exactly the
 * number of series docs/rest-api.md states — 6 per job, 5 per stage, 1 per PCollection, 2 per
 * source (plus the user's metrics, none here) and 2 for the cluster — none of them per subtask or
 * attempt, so the count does not grow with the parallelism.
 */
public class MetricsSeriesOfAWideJobTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private static final int STAGES = 10;
  private static final int PARALLELISM = 4;

  /** The labels a series may have; none of them takes a value per subtask or per attempt. */
  private static final Set<String> BOUNDED_LABELS =
      Set.of("job_name", "job_id", "state", "status", "stage", "step", "pcollection", "namespace",
          "name", "worker");

  @Test
  public void tenStagesAtParallelismFourExportTheStatedNumberOfSeries() throws Exception {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--webPort=0",
                    "--parallelism=" + PARALLELISM,
                    "--jobName=wide",
                    "--stateBackend=memory",
                    "--checkpointingInterval=1000",
                    "--checkpointDir=" + temp.newFolder("checkpoints").toURI())
                .create());
    PCollection<Long> stream =
        p.apply(
            "Ticks",
            GenerateSequence.from(0).withRate(200, org.joda.time.Duration.standardSeconds(1)));
    // Each random-key reshuffle is an exchange: 9 of them make 10 stages.
    for (int i = 1; i < STAGES; i++) {
      stream = stream.apply("Shuffle" + i, Reshuffle.viaRandomKey());
    }
    // The PCollections Weir runs and counts: the source's, and per random-key reshuffle the
    // keyed pairs, the exchange's output (metadata restored) and the values.
    int pcollections = 1 + 3 * (STAGES - 1);
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    try {
      RawHttp http = new RawHttp(URI.create(result.webUrl().orElseThrow()).getPort());
      String jobId =
          new JSONObject(http.get("/api/v1/jobs").body())
              .getJSONArray("jobs")
              .getJSONObject(0)
              .getString("id");
      assertEquals(
          STAGES,
          new JSONObject(http.get("/api/v1/jobs/" + jobId).body()).getJSONArray("stages").length());

      // Every stage's time use and a completed checkpoint appear within a generous bound; the
      // element counts of all PCollections once each has had an element.
      long deadline = System.currentTimeMillis() + 120_000;
      StrictPrometheusParser.Exposition exposition;
      int elementSeries;
      while (true) {
        exposition = StrictPrometheusParser.parse(http.get("/metrics").body());
        elementSeries = count(exposition, "weir_pcollection_elements_total");
        if (count(exposition, "weir_stage_busy_ratio") == STAGES
            && count(exposition, "weir_records_in_total") == STAGES
            && count(exposition, "weir_checkpoint_last_size_bytes") == 1
            && elementSeries == pcollections) {
          break;
        }
        assertTrue(
            "not every series appeared ("
                + elementSeries
                + " element counts of "
                + pcollections
                + " PCollections): "
                + exposition.samples(),
            System.currentTimeMillis() < deadline);
        Thread.sleep(250);
      }

      // The element counts are the result's, one series each.
      int counted = 0;
      for (MetricResult<Long> c : result.metrics().allMetrics().getCounters()) {
        if (c.getName().getName().equals(MonitoringInfoConstants.Urns.ELEMENT_COUNT)) {
          counted++;
        }
      }
      assertEquals(counted, elementSeries);

      // The number docs/rest-api.md states: 2 for the cluster (workers, jobs in one state),
      // 6 for the job, 5 per stage (3 time-use ratios, records in and out), 1 per PCollection, 2
      // for the one source (its elements-read counters), no user metrics.
      int stated = 2 + 6 + 5 * STAGES + pcollections + 2;
      assertEquals(exposition.samples().toString(), stated, exposition.samples().size());
      for (StrictPrometheusParser.Sample sample : exposition.samples()) {
        assertTrue(sample.toString(), BOUNDED_LABELS.containsAll(sample.labels().keySet()));
      }
      // 2 + 6 + 50 + 28 + 2 = 88 for this job, as docs/rest-api.md records.
      assertEquals(88, stated);
    } finally {
      result.cancel();
    }
  }

  private static int count(StrictPrometheusParser.Exposition exposition, String name) {
    int n = 0;
    for (StrictPrometheusParser.Sample sample : exposition.samples()) {
      if (sample.name().equals(name)) {
        n++;
      }
    }
    return n;
  }
}
