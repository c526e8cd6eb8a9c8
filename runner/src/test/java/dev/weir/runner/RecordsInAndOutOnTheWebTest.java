package dev.weir.runner;

import static dev.weir.web.StrictPrometheusParser.labels;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.web.ClusterMetrics;
import dev.weir.web.StrictPrometheusParser;
import dev.weir.web.view.JobDetail;
import dev.weir.web.view.StageDetail;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Test;

/**
 * Records and bytes in and out per subtask, counted by the subtasks themselves: once a job of
 * 1,000 elements through a keyed exchange is done, the web view's stages still give every
 * subtask's final counts; every record and byte sent was received; the sink's stage received
 * exactly what the sink counted, which is the element count {@code PipelineResult.metrics()}
 * reports for the PCollection sent through the exchange; the source's stage counts the 1,000
 * elements it read as records in, on top of the restrictions it received; and {@code
 * weir_records_in_total} exports the same per stage.
 */
public class RecordsInAndOutOnTheWebTest {
  private static final int N = 1_000;

  private static final class Sink extends DoFn<Integer, Void> {
    private final Counter seen = Metrics.counter("records-test", "seen");

    @ProcessElement
    public void process(@Element Integer x) {
      seen.inc();
    }
  }

  @Test
  public void finalCountsAddUpAndEqualTheSinksAndTheResultsCounts() throws Exception {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner", "--parallelism=3", "--jobName=records")
                .create());
    p.apply("Numbers", Create.of(IntStream.range(0, N).boxed().collect(Collectors.toList())))
        .apply("Double", MapElements.into(TypeDescriptors.integers()).via((Integer x) -> 2 * x))
        .apply("Shuffle", Reshuffle.viaRandomKey())
        .apply("Sink", ParDo.of(new Sink()));
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    JobCoordinator job = (JobCoordinator) result.handle();
    CoordinatorView view = new CoordinatorView(() -> List.of(job), List::of);
    JobDetail detail = view.job(job.jobId()).orElseThrow();
    long recordsIn = 0;
    long recordsOut = 0;
    long bytesIn = 0;
    long bytesOut = 0;
    long sinkIn = -1;
    int sinkStage = -1;
    long sourceIn = -1;
    int sourceStage = -1;
    java.util.Map<Integer, Long> outByStage = new java.util.HashMap<>();
    for (JobDetail.Stage stage : detail.stages()) {
      StageDetail status = view.stage(job.jobId(), stage.id()).orElseThrow();
      // Every subtask ended: each keeps its final counts.
      assertEquals(status.toString(), stage.parallelism(), status.subtasks().size());
      boolean reads = stage.steps().stream().anyMatch(step -> step.contains("ProcessKeyedElements"));
      long stageIn = 0;
      long stageOut = 0;
      for (StageDetail.SubtaskStatus s : status.subtasks()) {
        assertTrue(s.toString(), s.ended());
        stageIn += s.recordsIn();
        stageOut += s.recordsOut();
        recordsIn += s.recordsIn();
        recordsOut += s.recordsOut();
        bytesIn += s.bytesIn();
        bytesOut += s.bytesOut();
        // Bytes travel with records: none without, at least one per record (a source's reads
        // have none).
        if (!reads) {
          assertTrue(s.toString(), s.bytesIn() >= s.recordsIn());
        }
        assertTrue(s.toString(), s.bytesOut() >= s.recordsOut());
      }
      outByStage.put(stage.id(), stageOut);
      if (stage.steps().stream().anyMatch(step -> step.startsWith("Sink/"))) {
        sinkIn = stageIn;
        sinkStage = stage.id();
      }
      if (reads) {
        sourceIn = stageIn;
        sourceStage = stage.id();
      }
    }
    long read = 0;
    for (MetricResult<Long> c : result.metrics().allMetrics().getCounters()) {
      if (c.getName().getNamespace().equals("weir.source")
          && c.getName().getName().equals("elements_read")) {
        read += c.getAttempted();
      }
    }
    assertEquals("the source read every element", N, read);
    assertEquals("every record sent was received, and the reads", recordsOut + read, recordsIn);
    assertEquals("every byte sent was received", bytesOut, bytesIn);
    // The source's stage: the restrictions sent to it (by the stage that splits them, the only
    // one feeding it) and the elements it read.
    long restrictions = 0;
    for (JobDetail.Edge edge : detail.edges()) {
      if (edge.to() == sourceStage) {
        restrictions += outByStage.get(edge.from());
      }
    }
    assertTrue(restrictions >= 1);
    assertEquals(N + restrictions, sourceIn);

    MetricResult<Long> seen =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named("records-test", "seen"))
                    .build())
            .getCounters()
            .iterator()
            .next();
    assertEquals(N, (long) seen.getAttempted());
    // The sink's stage starts at the exchange: it received each element once.
    assertEquals(N, sinkIn);
    // The PCollection sent through the exchange: "Double"'s output, N elements.
    long doubled = -1;
    for (MetricResult<Long> c : result.metrics().allMetrics().getCounters()) {
      if (c.getName().getName().equals("beam:metric:element_count:v1")
          && c.getKey().stepName().startsWith("Double")) {
        doubled = c.getAttempted();
      }
    }
    assertEquals(sinkIn, doubled);

    StrictPrometheusParser.Exposition exposition =
        StrictPrometheusParser.parse(ClusterMetrics.scrape(view));
    assertEquals(
        N,
        exposition
            .find(
                "weir_records_in_total",
                labels("job_name", "records", "stage", Integer.toString(sinkStage)))
            .get(0)
            .value(),
        0);
    assertEquals(
        N + restrictions,
        exposition
            .find(
                "weir_records_in_total",
                labels("job_name", "records", "stage", Integer.toString(sourceStage)))
            .get(0)
            .value(),
        0);
    // Per subtask only when asked.
    assertEquals(0, exposition.find("weir_subtask_records_in_total", labels()).size());
    StrictPrometheusParser.Exposition perSubtask =
        StrictPrometheusParser.parse(ClusterMetrics.scrape(view, true));
    double sum = 0;
    for (StrictPrometheusParser.Sample s :
        perSubtask.find(
            "weir_subtask_records_in_total", labels("stage", Integer.toString(sinkStage)))) {
      sum += s.value();
    }
    assertEquals(N, sum, 0);
  }
}
