package dev.weir.examples;

import static org.junit.Assert.assertEquals;

import dev.weir.runner.WeirPipelineResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class RankClientsTest {
  @Rule public final transient TestPipeline pipeline = OnWeir.testPipeline();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void countsPerWindowFlagsOverTheLimitAndRanksTopN() {
    // 30 s windows, more than 1 request is over the limit, top 3.
    PCollection<String> out =
        pipeline
            .apply(
                Create.of(
                    "2026-03-02T09:00:00Z,a,/x",
                    "2026-03-02T09:00:10Z,b,/x",
                    "2026-03-02T09:00:20Z,a,/y",
                    "2026-03-02T09:00:29.999Z,c,/x",
                    "2026-03-02T09:00:30Z,c,/x",
                    "2026-03-02T09:00:31Z,b,/y",
                    "2026-03-02T09:00:59Z,b,/x"))
            .apply(new StampEventTimes())
            .apply(new RankClients(Duration.standardSeconds(30), 1, 3));

    PAssert.that(out)
        .containsInAnyOrder(
            // [09:00:00, 09:00:30): a 2, b 1, c 1 (29.999 s is still inside); b before c by name.
            "2026-03-02T09:00:00.000Z,over-limit,a,2",
            "2026-03-02T09:00:00.000Z,top-1,a,2",
            "2026-03-02T09:00:00.000Z,top-2,b,1",
            "2026-03-02T09:00:00.000Z,top-3,c,1",
            // [09:00:30, 09:01:00): b 2, c 1 (30 s starts this window); only two clients to rank.
            "2026-03-02T09:00:30.000Z,over-limit,b,2",
            "2026-03-02T09:00:30.000Z,top-1,b,2",
            "2026-03-02T09:00:30.000Z,top-2,c,1");
    pipeline.run();
  }

  @Test
  public void mainRanksTheBundledRequests() throws IOException {
    Path output = tmp.getRoot().toPath().resolve("clients");

    PipelineResult result = RateLimiting.run("--output=" + output);

    assertEquals(WeirPipelineResult.class, result.getClass());
    assertEquals(PipelineResult.State.DONE, result.getState());
    // Defaults: 60 s windows, over the limit above 3 requests, top 2.
    assertEquals(
        List.of(
            // 09:00: alice 4 (:05 :10 :20 :50), bob 2, dave 2, carol 1; bob ranks before dave.
            "2026-03-02T09:00:00.000Z,over-limit,alice,4",
            "2026-03-02T09:00:00.000Z,top-1,alice,4",
            "2026-03-02T09:00:00.000Z,top-2,bob,2",
            // 09:01: bob 3 (09:01:00 is in this window), carol 3, alice 1; 3 is not over 3.
            "2026-03-02T09:01:00.000Z,top-1,bob,3",
            "2026-03-02T09:01:00.000Z,top-2,carol,3",
            // 09:05: erin alone.
            "2026-03-02T09:05:00.000Z,top-1,erin,1"),
        OutputFiles.sortedLines(output));
  }

  @Test
  public void mainOnTheGeneratorWritesExactWindows() throws IOException {
    Path output = tmp.getRoot().toPath().resolve("generated");

    PipelineResult result =
        RateLimiting.run(
            "--source=generator",
            "--maxEvents=1200",
            "--eventsPerSecond=5000",
            "--requestLimit=100",
            "--topN=3",
            "--output=" + output);

    assertEquals(PipelineResult.State.DONE, result.getState());
    // 1200 events, 10 per second of event time from 00:00:00: indexes 0..599 fill the 00:00
    // window and 600..1199 the 00:01 window. Of every ten indexes 5 are client-a, 2 client-b and
    // one each c, d, e: per window 300, 120, 60, 60, 60. Over 100: a and b. Top 3: a, b, then c
    // (c, d and e tie at 60; c comes first by name).
    List<String> perWindow =
        List.of(
            ",over-limit,client-a,300",
            ",over-limit,client-b,120",
            ",top-1,client-a,300",
            ",top-2,client-b,120",
            ",top-3,client-c,60");
    List<String> expected = new java.util.ArrayList<>();
    for (String start : List.of("2026-03-02T00:00:00.000Z", "2026-03-02T00:01:00.000Z")) {
      perWindow.forEach(line -> expected.add(start + line));
    }
    assertEquals(expected, OutputFiles.sortedLines(output));
  }
}
