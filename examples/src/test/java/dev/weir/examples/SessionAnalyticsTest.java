package dev.weir.examples;

import static org.junit.Assert.assertEquals;

import dev.weir.runner.WeirPipelineResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SessionAnalyticsTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void mainSummarizesTheBundledActivity() throws IOException {
    Path output = tmp.getRoot().toPath().resolve("sessions");

    PipelineResult result = SessionAnalytics.run("--output=" + output);

    assertEquals(WeirPipelineResult.class, result.getClass());
    assertEquals(PipelineResult.State.DONE, result.getState());
    // Gap 10 min. A bounded run: the watermark passes every session at the end, all on time.
    assertEquals(
        List.of(
            // alice 09:00, 09:03, 09:07: one session to 09:07 + 10 min.
            "alice,2026-03-02T09:00:00.000Z,2026-03-02T09:17:00.000Z,3,ON_TIME",
            // alice 09:40: 33 min after 09:07, a session of its own.
            "alice,2026-03-02T09:40:00.000Z,2026-03-02T09:50:00.000Z,1,ON_TIME",
            // bob 09:05, 09:14, 09:23: each within 10 min of the previous, one session.
            "bob,2026-03-02T09:05:00.000Z,2026-03-02T09:33:00.000Z,3,ON_TIME",
            // bob 09:45: 22 min after 09:23.
            "bob,2026-03-02T09:45:00.000Z,2026-03-02T09:55:00.000Z,1,ON_TIME",
            "carol,2026-03-02T09:50:00.000Z,2026-03-02T10:00:00.000Z,1,ON_TIME"),
        OutputFiles.sortedLines(output));
  }

  @Test
  public void mainOnTheGeneratorReportsEachTurnAsASession() throws IOException {
    Path output = tmp.getRoot().toPath().resolve("generated");

    PipelineResult result =
        SessionAnalytics.run(
            "--source=generator",
            "--maxEvents=300",
            "--eventsPerSecond=5000",
            "--output=" + output);

    assertEquals(PipelineResult.State.DONE, result.getState());
    // One event a second from 00:00:00, users in turns of 100: user-0 has 00:00:00..00:01:39,
    // user-1 00:01:40..00:03:19, user-2 00:03:20..00:04:59. Each turn is one session ending
    // 10 min after its last event; the watermark passes them all once the stream ends.
    assertEquals(
        List.of(
            "user-0,2026-03-02T00:00:00.000Z,2026-03-02T00:11:39.000Z,100,ON_TIME",
            "user-1,2026-03-02T00:01:40.000Z,2026-03-02T00:13:19.000Z,100,ON_TIME",
            "user-2,2026-03-02T00:03:20.000Z,2026-03-02T00:14:59.000Z,100,ON_TIME"),
        OutputFiles.sortedLines(output));
  }
}
