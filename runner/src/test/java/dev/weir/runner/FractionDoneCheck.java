package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.transforms.ParDo;

/**
 * A bounded source's fraction done, as {@link WeirPipelineResult#progress()} shows it while the job
 * runs and after it: between 0 and 1 while the source is held part way, never falling, 1.0 at the
 * end. For the embedded cluster's test and the one on worker processes.
 */
public final class FractionDoneCheck {
  /** Generous: the machine may be loaded; bounds waits, not what is measured. */
  private static final long WAIT_SECONDS = 120;

  /** One restriction (800 KB estimated, below a split's 1 MB), held at 40 % of its numbers. */
  private static final long COUNT = 100_000;

  private static final long HELD_FROM = 40_000;

  private FractionDoneCheck() {}

  /** Builds the job on {@code p}, runs it and checks its fractions; {@code gate} is empty. */
  public static void runAndCheck(Pipeline p, Path gate) throws Exception {
    runAndCheck(p, gate, null);
  }

  /**
   * As above; with a {@code coordinatorLog}, also that the coordinator logs the fraction while
   * the source is held ({@code p} runs with a short {@code --progressLogSeconds}).
   */
  public static void runAndCheck(Pipeline p, Path gate, Path coordinatorLog) throws Exception {
    p.apply("Numbers", GenerateSequence.from(0).to(COUNT))
        .apply(ParDo.of(new GatedFn(gate, HELD_FROM)));
    WeirPipelineResult result = (WeirPipelineResult) p.run();

    awaitFile(GatedFn.reached(gate), result);
    Map.Entry<String, Double> held = awaitFraction(result);
    assertThat(held.getKey(), startsWith("Numbers/"));
    assertThat(held.getValue(), greaterThan(0.0));
    assertThat(held.getValue(), lessThan(1.0));
    assertEquals(PipelineResult.State.RUNNING, result.getState());
    if (coordinatorLog != null) {
      awaitLogLine(coordinatorLog, "progress: source '" + held.getKey() + "': ", "% done");
    }

    GatedFn.open(gate);
    double previous = held.getValue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!result.getState().isTerminal()) {
      double now = result.progress().fractionDone(held.getKey()).orElse(previous);
      assertTrue("fraction done fell from " + previous + " to " + now, now >= previous);
      previous = now;
      if (System.nanoTime() > deadline) {
        fail("the job did not end; fraction done " + previous);
      }
      Thread.sleep(20);
    }
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    JobProgress done = result.progress();
    assertEquals(1.0, done.fractionDone(held.getKey()).getAsDouble(), 0);
    assertEquals(COUNT, done.elementsRead());
    assertThat(done.toString(), org.hamcrest.Matchers.containsString("100.0% done"));
  }

  /** Waits for a line of {@code log} holding both parts. */
  private static void awaitLogLine(Path log, String part, String laterPart) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log, java.nio.charset.StandardCharsets.UTF_8)) {
          int at = line.indexOf(part);
          if (at >= 0 && line.indexOf(laterPart, at) > at) {
            return;
          }
        }
      }
      Thread.sleep(100);
    }
    fail("no line of " + log + " has " + part + "..." + laterPart);
  }

  private static void awaitFile(Path file, PipelineResult result) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!Files.exists(file)) {
      if (result.getState().isTerminal() || System.nanoTime() > deadline) {
        fail("the gated step never held a number; job " + result.getState());
      }
      Thread.sleep(20);
    }
  }

  /** The one source's fraction once it is above 0, read while the gated step holds. */
  private static Map.Entry<String, Double> awaitFraction(WeirPipelineResult result)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    Map<String, Double> fractions = Map.of();
    while (System.nanoTime() < deadline) {
      fractions = result.progress().fractionDoneBySource();
      if (fractions.size() == 1 && fractions.values().iterator().next() > 0) {
        return fractions.entrySet().iterator().next();
      }
      Thread.sleep(20);
    }
    fail("no fraction above 0 while the source was held: " + fractions);
    return null;
  }
}
