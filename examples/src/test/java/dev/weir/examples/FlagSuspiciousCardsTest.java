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

public class FlagSuspiciousCardsTest {
  @Rule public final transient TestPipeline pipeline = OnWeir.testPipeline();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void flagsInEventTimeOrderWithSpansOpenAtTheStart() {
    // Rules: 2 transactions within 10 s; below 5.00 then at least 100.00, less than 10 s apart.
    PCollection<String> alerts =
        pipeline
            .apply(
                Create.of(
                    "2026-03-02T10:00:20Z,x,150.00",
                    "2026-03-02T10:00:10Z,z,200.00",
                    "2026-03-02T10:00:09Z,x,2.00",
                    "2026-03-02T10:00:00Z,y,100.00",
                    "2026-03-02T10:00:00Z,x,1.00",
                    "2026-03-02T10:00:00Z,z,3.00",
                    "2026-03-02T10:00:00Z,y,4.99"))
            .apply(new StampEventTimes())
            .apply(new FlagSuspiciousCards(2, Duration.standardSeconds(10), 500, 10_000));

    PAssert.that(alerts)
        .containsInAnyOrder(
            // x: 10:00:00 and 10:00:09 lie within 10 s, so the second is x's 2nd in the span.
            // Its 150.00 at 10:00:20 follows the small 2.00 by 11 s, not less than 10: no alert.
            "2026-03-02T10:00:09.000Z,x,rapid,2",
            // y: two at the same instant, taken by amount: 4.99 (small) then 100.00 (large,
            // 0 s later), which is also y's 2nd transaction in the span.
            "2026-03-02T10:00:00.000Z,y,rapid,2",
            "2026-03-02T10:00:00.000Z,y,small-then-large,4.99,100.00"
            // z: 3.00 then 200.00 exactly 10 s later: the span (10:00:00, 10:00:10] leaves the
            // first out, and 10 s is not less than 10 s. No alert.
            );
    pipeline.run();
  }

  @Test
  public void mainFlagsTheBundledTransactions() throws IOException {
    Path output = tmp.getRoot().toPath().resolve("alerts");

    PipelineResult result = FraudDetection.run("--output=" + output);

    assertEquals(WeirPipelineResult.class, result.getClass());
    assertEquals(PipelineResult.State.DONE, result.getState());
    // Defaults: 3 transactions within 60 s; below 1.00 then at least 500.00, less than 60 s apart.
    assertEquals(
        List.of(
            // card-2: 0.50 at 09:01:00, then 750.00 30 s later. (0.99 then 900.00 are 120 s apart.)
            "2026-03-02T09:01:30.000Z,card-2,small-then-large,0.50,750.00",
            // card-3: 09:02:00, 09:02:20, 09:02:50 all lie in (09:01:50, 09:02:50].
            "2026-03-02T09:02:50.000Z,card-3,rapid,3",
            // card-3: 09:02:20, 09:02:50, 09:03:10 lie in (09:02:10, 09:03:10]; 09:05:00 is alone.
            "2026-03-02T09:03:10.000Z,card-3,rapid,3",
            // card-4: 0.10 then 500.00 (large includes 500.00) 20 s later. Its 09:00:00, 09:00:30,
            // 09:01:00 are 3 within 60 s only if the span closed at the start, which it does not;
            // and 1.00 is not below 1.00. card-1 is unremarkable.
            "2026-03-02T09:30:20.000Z,card-4,small-then-large,0.10,500.00"),
        OutputFiles.sortedLines(output));
  }

  @Test
  public void mainOnTheGeneratorFlagsThePlantedPatterns() throws IOException {
    Path output = tmp.getRoot().toPath().resolve("generated");

    PipelineResult result =
        FraudDetection.run(
            "--source=generator",
            "--maxEvents=1000",
            "--eventsPerSecond=5000",
            "--output=" + output);

    assertEquals(PipelineResult.State.DONE, result.getState());
    // Indexes 0..999, one a second from 00:00:00, card i % 50 (each card every 50 s, so never 3
    // within 60 s), amounts 1.00..200.99 (neither small nor large) except the planted ones:
    // index 10 (card-10, 00:00:10) pays 0.42 and index 60 (card-10, 00:01:00) 742.00, 50 s later;
    // indexes 500..502 (00:08:20..00:08:22) go to card-burst, its 3rd within 60 s at 00:08:22.
    assertEquals(
        List.of(
            "2026-03-02T00:01:00.000Z,card-10,small-then-large,0.42,742.00",
            "2026-03-02T00:08:22.000Z,card-burst,rapid,3"),
        OutputFiles.sortedLines(output));
  }
}
