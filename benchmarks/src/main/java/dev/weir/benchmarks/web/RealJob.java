package dev.weir.benchmarks.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weir.runner.WeirPipelineResult;
import java.io.InputStream;
import java.net.URL;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/** A wide streaming job on the embedded cluster with its web server, for {@link WebLatencyBenchmark}. */
final class RealJob {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WeirPipelineResult result;
  private final String base;
  private final String id;

  private RealJob(WeirPipelineResult result, String base, String id) {
    this.result = result;
    this.base = base;
    this.id = id;
  }

  /**
   * Starts the job and waits until every stage's subtasks have reported their time use and the
   * element counts of its PCollections are all there.
   */
  static RealJob start(int stages, int parallelism) throws Exception {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--webPort=0",
                    "--parallelism=" + parallelism,
                    "--stateBackend=memory",
                    "--jobName=wide")
                .create());
    PCollection<Long> stream =
        p.apply("Ticks", GenerateSequence.from(0).withRate(100, Duration.standardSeconds(1)));
    for (int i = 1; i < stages; i++) {
      stream = stream.apply("Shuffle" + i, Reshuffle.viaRandomKey());
    }
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    String url = result.webUrl().orElseThrow();
    String base = url.substring(0, url.length() - 1);
    String id = JSON.readTree(read(base + "/api/v1/jobs")).path("jobs").get(0).path("id").asText();
    long deadline = System.currentTimeMillis() + 600_000;
    while (true) {
      String metrics = read(base + "/metrics");
      long reported = metrics.lines().filter(l -> l.startsWith("weir_stage_busy_ratio{")).count();
      if (reported == stages) {
        break;
      }
      if (System.currentTimeMillis() > deadline) {
        result.cancel();
        throw new IllegalStateException("only " + reported + " of " + stages + " stages reported");
      }
      Thread.sleep(1000);
    }
    // Element counts are published at bundle ends: wait until every PCollection has one and their
    // number holds still (reads 2.5 s apart, past the view's one-second generations).
    long series = -1;
    int same = 0;
    while (same < 3) {
      if (System.currentTimeMillis() > deadline) {
        result.cancel();
        throw new IllegalStateException("element counts did not settle: " + series + " series");
      }
      Thread.sleep(2500);
      long now =
          read(base + "/metrics")
              .lines()
              .filter(l -> l.startsWith("weir_pcollection_elements_total{"))
              .count();
      same = now > 0 && now == series ? same + 1 : 0;
      series = now;
    }
    return new RealJob(result, base, id);
  }

  String base() {
    return base;
  }

  String id() {
    return id;
  }

  void cancel() throws Exception {
    result.cancel();
  }

  private static String read(String url) throws Exception {
    try (InputStream in = new URL(url).openStream()) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
