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

public class JoinFeatureRowsTest {
  @Rule public final transient TestPipeline pipeline = OnWeir.testPipeline();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void joinsUserItemAndPairCountsPerSlidingWindow() {
    // Windows of 2 min every minute: each interaction lies in two windows.
    PCollection<String> rows =
        pipeline
            .apply(
                Create.of(
                    "2026-03-02T10:00:30Z,u1,i1",
                    "2026-03-02T10:01:30Z,u1,i2",
                    "2026-03-02T10:01:45Z,u2,i1",
                    "2026-03-02T10:01:50Z,u2,i1"))
            .apply(new StampEventTimes())
            .apply(new JoinFeatureRows(Duration.standardMinutes(2), Duration.standardMinutes(1)));

    PAssert.that(rows)
        .containsInAnyOrder(
            // [09:59, 10:01): only 10:00:30 u1-i1.
            "2026-03-02T09:59:00.000Z,2026-03-02T10:01:00.000Z,u1,i1,1,1,1",
            // [10:00, 10:02): all four. u1 2, u2 2; i1 3, i2 1; u1-i1 1, u1-i2 1, u2-i1 2.
            "2026-03-02T10:00:00.000Z,2026-03-02T10:02:00.000Z,u1,i1,2,3,1",
            "2026-03-02T10:00:00.000Z,2026-03-02T10:02:00.000Z,u1,i2,2,1,1",
            "2026-03-02T10:00:00.000Z,2026-03-02T10:02:00.000Z,u2,i1,2,3,2",
            // [10:01, 10:03): the last three. u1 1, u2 2; i2 1, i1 2.
            "2026-03-02T10:01:00.000Z,2026-03-02T10:03:00.000Z,u1,i2,1,1,1",
            "2026-03-02T10:01:00.000Z,2026-03-02T10:03:00.000Z,u2,i1,2,2,2");
    pipeline.run();
  }

  @Test
  public void mainBuildsRowsOfTheBundledInteractions() throws IOException {
    Path output = tmp.getRoot().toPath().resolve("rows");

    PipelineResult result = RecommendationFeatures.run("--output=" + output);

    assertEquals(WeirPipelineResult.class, result.getClass());
    assertEquals(PipelineResult.State.DONE, result.getState());
    // Windows of 10 min every 5 min. Interactions: 09:01 ann-book, 09:02 ann-lamp, 09:03
    // ben-book, 09:06 ann-book, 09:08 cat-lamp, 09:12 ben-book.
    assertEquals(
        List.of(
            // [08:55, 09:05): 09:01, 09:02, 09:03. ann 2, ben 1; book 2, lamp 1.
            "2026-03-02T08:55:00.000Z,2026-03-02T09:05:00.000Z,ann,book,2,2,1",
            "2026-03-02T08:55:00.000Z,2026-03-02T09:05:00.000Z,ann,lamp,2,1,1",
            "2026-03-02T08:55:00.000Z,2026-03-02T09:05:00.000Z,ben,book,1,2,1",
            // [09:00, 09:10): 09:01 to 09:08. ann 3, ben 1, cat 1; book 3, lamp 2; ann-book 2.
            "2026-03-02T09:00:00.000Z,2026-03-02T09:10:00.000Z,ann,book,3,3,2",
            "2026-03-02T09:00:00.000Z,2026-03-02T09:10:00.000Z,ann,lamp,3,2,1",
            "2026-03-02T09:00:00.000Z,2026-03-02T09:10:00.000Z,ben,book,1,3,1",
            "2026-03-02T09:00:00.000Z,2026-03-02T09:10:00.000Z,cat,lamp,1,2,1",
            // [09:05, 09:15): 09:06, 09:08, 09:12. One each per user; book 2, lamp 1.
            "2026-03-02T09:05:00.000Z,2026-03-02T09:15:00.000Z,ann,book,1,2,1",
            "2026-03-02T09:05:00.000Z,2026-03-02T09:15:00.000Z,ben,book,1,2,1",
            "2026-03-02T09:05:00.000Z,2026-03-02T09:15:00.000Z,cat,lamp,1,1,1",
            // [09:10, 09:20): 09:12 alone.
            "2026-03-02T09:10:00.000Z,2026-03-02T09:20:00.000Z,ben,book,1,1,1"),
        OutputFiles.sortedLines(output));
  }

  @Test
  public void mainOnTheGeneratorBuildsRowsOfTheFirstInteractions() throws IOException {
    Path output = tmp.getRoot().toPath().resolve("generated");

    PipelineResult result =
        RecommendationFeatures.run(
            "--source=generator", "--maxEvents=10", "--eventsPerSecond=5000", "--output=" + output);

    assertEquals(PipelineResult.State.DONE, result.getState());
    // Indexes 0..9 at 00:00:00..00:00:18, user-(i % 7) with item-(i % 5): ten distinct pairs,
    // all in the windows [23:55, 00:05) and [00:00, 00:10). user-0, -1, -2 interact twice (i and
    // i + 7), the others once; every item twice (i and i + 5).
    List<String> perWindow =
        List.of(
            ",user-0,item-0,2,2,1",
            ",user-0,item-2,2,2,1",
            ",user-1,item-1,2,2,1",
            ",user-1,item-3,2,2,1",
            ",user-2,item-2,2,2,1",
            ",user-2,item-4,2,2,1",
            ",user-3,item-3,1,2,1",
            ",user-4,item-4,1,2,1",
            ",user-5,item-0,1,2,1",
            ",user-6,item-1,1,2,1");
    List<String> expected = new java.util.ArrayList<>();
    for (String window :
        List.of(
            "2026-03-01T23:55:00.000Z,2026-03-02T00:05:00.000Z",
            "2026-03-02T00:00:00.000Z,2026-03-02T00:10:00.000Z")) {
      perWindow.forEach(row -> expected.add(window + row));
    }
    assertEquals(expected, OutputFiles.sortedLines(output));
  }
}
